import Foundation
import KawalStore
import Testing

@Suite struct CalendarDayTests {
    @Test(arguments: [
        ("2025-02-07", "2025-02-07"), ("2025-2-7", "2025-02-07"), ("07/02/2025", "2025-02-07"), ("7/2/2025", "2025-02-07"),
        ("29/02/2024", "2024-02-29"), ("2000-02-29", "2000-02-29"), (" 2025-12-31 ", "2025-12-31"), ("1900-01-01", "1900-01-01"),
    ])
    func datesAreReadInBothForms(text: String, day: String) throws {
        #expect(try TimeContext.calendarDay(text, field: "tanggal_lahir") == day)
    }

    /// Typed moments (due dates, deadlines) that are empty or nothing but separators are refused,
    /// not a crash of kawald.
    @Test(arguments: ["", "   ", "t", "T", "tt", "t09:00", "2025-02-07t25:00", "2025-02-07t09", "+", "+3x", "+infd", "+1e300d", "+nand", "+-3d",
                      "+36601000w"])
    func emptyOrBrokenMomentsAreRefused(text: String) throws {
        let time = TimeContext(zone: try #require(TimeZone(identifier: "Asia/Makassar")), now: { Date(timeIntervalSince1970: 1_738_900_000) })
        #expect(throws: StoreError.self) { try time.moment(text, field: "due") }
    }

    @Test func momentsInEveryForm() throws {
        let now = Date(timeIntervalSince1970: 1_738_900_000)
        let time = TimeContext(zone: try #require(TimeZone(identifier: "Asia/Makassar")), now: { now })
        #expect(try time.moment("+3d", field: "due") == now.addingTimeInterval(3 * 86_400))
        #expect(try time.moment("+1.5h", field: "due") == now.addingTimeInterval(5400))
        #expect(try time.moment("+5200w", field: "due") == now.addingTimeInterval(5200 * 7 * 86_400))
        #expect(try time.moment("2025-02-07T09:00", field: "due") == Date(timeIntervalSince1970: 1_738_890_000))
        #expect(try time.moment("07/02/2025", field: "due") == Date(timeIntervalSince1970: 1_738_943_999))
    }

    @Test(arguments: [
        "31-02-2024", "2023-02-29", "1900-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "00/01/2025", "25-02-07", "2025/02/07",
        "07/02-2025", "07/02/2025/1", "2025-02-07x", "+7/2/2025", "2025--02", "", "-", "//", "1899-12-31", "2201-01-01", "2025-02-007000000000",
    ])
    func otherTextIsNotADate(text: String) {
        #expect(throws: StoreError.invalid(field: "tanggal_lahir", message: "\"\(text)\" is not a date (expected YYYY-MM-DD or DD/MM/YYYY)")) {
            try TimeContext.calendarDay(text, field: "tanggal_lahir")
        }
    }
}
