import Testing
@testable import KawalCalendar

@Suite struct TimestampTests {
    @Test func formattedAsSystemdDoes() throws {
        let noonUTC = try utc("2025-07-01 12:00:00")
        #expect(Timestamp.format(microseconds: noonUTC, in: zone("Asia/Makassar")) == "Tue 2025-07-01 20:00:00 WITA")
        #expect(Timestamp.format(microseconds: noonUTC, in: zone("Europe/Berlin")) == "Tue 2025-07-01 14:00:00 CEST")
        #expect(Timestamp.format(microseconds: noonUTC + 999_999, in: .utc) == "Tue 2025-07-01 12:00:00 UTC")
        #expect(Timestamp.formatUTC(microseconds: noonUTC) == "Tue 2025-07-01 12:00:00 UTC")
    }

    @Test func baseTimes() throws {
        let makassar = zone("Asia/Makassar")
        #expect(try Timestamp.parse("2025-01-01 00:00:00 UTC", now: 0, localZone: makassar) == 1_735_689_600_000_000)
        #expect(try Timestamp.parse("2025-01-01 08:00:00", now: 0, localZone: makassar) == 1_735_689_600_000_000)
        #expect(try Timestamp.parse("2025-01-01 08:00 WITA", now: 0, localZone: makassar) == 1_735_689_600_000_000)
        #expect(try Timestamp.parse("Wed 2025-01-01 08:00:00 Asia/Makassar", now: 0, localZone: .utc) == 1_735_689_600_000_000)
        #expect(try Timestamp.parse("@1735689600", now: 0, localZone: .utc) == 1_735_689_600_000_000)
        #expect(try Timestamp.parse("@1735689600.5", now: 0, localZone: .utc) == 1_735_689_600_500_000)
        #expect(try Timestamp.parse("25-01-01 00:00:00.25 utc", now: 0, localZone: .utc) == 1_735_689_600_250_000)
        #expect(try Timestamp.parse("2025-1-1 0:0:0 UTC", now: 0, localZone: .utc) == 1_735_689_600_000_000)
        #expect(try Timestamp.parse("2025-01-01", now: 0, localZone: .utc) == 1_735_689_600_000_000)
        #expect(try Timestamp.parse("+1h 30min", now: 1_735_689_600_000_000, localZone: .utc) == 1_735_695_000_000_000)
        #expect(try Timestamp.parse("tomorrow", now: 1_735_700_000_000_000, localZone: .utc) == 1_735_776_000_000_000)
    }

    @Test(arguments: ["Thu 2025-01-01 00:00:00 UTC", "2025-01-01 24:00:00 UTC", "1969-12-31 23:00:00 UTC", "2025-01-01T00:00:00Z", "soon", "@", "@1.2.3"])
    func refused(_ text: String) {
        #expect(throws: TimestampError.self) { try Timestamp.parse(text, now: 0, localZone: .utc) }
    }
}
