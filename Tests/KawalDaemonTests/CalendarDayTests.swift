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
