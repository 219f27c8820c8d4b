import Foundation
import Testing
@testable import KawalCalendar

/// Expected values are what systemd-analyze 252 prints for the same expression and base time.
@Suite struct NextElapseTests {
    @Test func shorthands() throws {
        let base = "2025-01-01 00:00:00"
        #expect(try elapses(of: "minutely", after: base, count: 2) == ["Wed 2025-01-01 00:01:00 UTC", "Wed 2025-01-01 00:02:00 UTC"])
        #expect(try elapses(of: "hourly", after: base, count: 2) == ["Wed 2025-01-01 01:00:00 UTC", "Wed 2025-01-01 02:00:00 UTC"])
        #expect(try elapses(of: "daily", after: base, count: 2) == ["Thu 2025-01-02 00:00:00 UTC", "Fri 2025-01-03 00:00:00 UTC"])
        #expect(try elapses(of: "weekly", after: base, count: 2) == ["Mon 2025-01-06 00:00:00 UTC", "Mon 2025-01-13 00:00:00 UTC"])
        #expect(try elapses(of: "monthly", after: base, count: 2) == ["Sat 2025-02-01 00:00:00 UTC", "Sat 2025-03-01 00:00:00 UTC"])
        #expect(try elapses(of: "quarterly", after: base, count: 3) == ["Tue 2025-04-01 00:00:00 UTC", "Tue 2025-07-01 00:00:00 UTC", "Wed 2025-10-01 00:00:00 UTC"])
        #expect(try elapses(of: "semiannually", after: base, count: 2) == ["Tue 2025-07-01 00:00:00 UTC", "Thu 2026-01-01 00:00:00 UTC"])
        #expect(try elapses(of: "yearly", after: base, count: 2) == ["Thu 2026-01-01 00:00:00 UTC", "Fri 2027-01-01 00:00:00 UTC"])
    }

    @Test func weekdaysInAZone() throws {
        // 08:00 WITA is 00:00 UTC; 2025-01-01 is a Wednesday.
        #expect(try elapses(of: "Mon..Fri 08:00 Asia/Makassar", after: "2025-01-01 00:00:00", count: 3, printedIn: zone("Asia/Makassar"))
            == ["Thu 2025-01-02 08:00:00 WITA", "Fri 2025-01-03 08:00:00 WITA", "Mon 2025-01-06 08:00:00 WITA"])
        #expect(try elapses(of: "Sat,Sun 10:30 Asia/Jakarta", after: "2025-01-01 00:00:00", count: 2)
            == ["Sat 2025-01-04 03:30:00 UTC", "Sun 2025-01-05 03:30:00 UTC"])
    }

    @Test func lastDaysOfTheMonth() throws {
        #expect(try elapses(of: "*-*~01", after: "2025-01-01 00:00:00")
            == ["Fri 2025-01-31 00:00:00 UTC", "Fri 2025-02-28 00:00:00 UTC", "Mon 2025-03-31 00:00:00 UTC"])
        #expect(try elapses(of: "*-*~01..03", after: "2025-01-01 00:00:00")
            == ["Wed 2025-01-29 00:00:00 UTC", "Thu 2025-01-30 00:00:00 UTC", "Fri 2025-01-31 00:00:00 UTC"])
        // The last Monday of May.
        #expect(try elapses(of: "Mon *-05~07/1 12:00", after: "2025-01-01 00:00:00")
            == ["Mon 2025-05-26 12:00:00 UTC", "Mon 2026-05-25 12:00:00 UTC", "Mon 2027-05-31 12:00:00 UTC"])
        #expect(try elapses(of: "*-02~01", after: "2027-06-01 00:00:00", count: 2) == ["Tue 2028-02-29 00:00:00 UTC", "Wed 2029-02-28 00:00:00 UTC"])
    }

    @Test func repetitionsAndRanges() throws {
        #expect(try elapses(of: "*:0/20", after: "2025-01-01 00:00:00") == ["Wed 2025-01-01 00:20:00 UTC", "Wed 2025-01-01 00:40:00 UTC", "Wed 2025-01-01 01:00:00 UTC"])
        #expect(try elapses(of: "9..17/4:00", after: "2025-01-01 10:00:00") == ["Wed 2025-01-01 13:00:00 UTC", "Wed 2025-01-01 17:00:00 UTC", "Thu 2025-01-02 09:00:00 UTC"])
        #expect(try elapses(of: "2024..2030/2-02-29", after: "2025-01-01 00:00:00") == ["Tue 2028-02-29 00:00:00 UTC"])
        #expect(try elapses(of: "*-02-30", after: "2025-01-01 00:00:00") == [])
        #expect(try elapses(of: "2020-01-01", after: "2025-01-01 00:00:00") == [])
    }

    @Test func fractionsOfSeconds() throws {
        let spec = try CalendarSpec(parsing: "*:*:00/0.25")
        let base = try utc("2025-01-01 00:00:00")
        #expect(try spec.nextElapse(afterMicroseconds: base) == base + 250_000)
        #expect(try spec.nextElapse(afterMicroseconds: base + 250_000) == base + 500_000)
        let precise = try CalendarSpec(parsing: "*:*:05.000001")
        #expect(try precise.nextElapse(afterMicroseconds: base) == base + 5_000_001)
        let date = Date(timeIntervalSince1970: 1_735_689_600)
        #expect(spec.nextElapse(after: date) == Date(timeIntervalSince1970: 1_735_689_600.25))
    }

    @Test func utcSuffixAndEpoch() throws {
        #expect(try elapses(of: "12:00 UTC", after: "2025-01-01 00:00:00", count: 1, localZone: zone("Asia/Makassar")) == ["Wed 2025-01-01 12:00:00 UTC"])
        #expect(try elapses(of: "12:00", after: "2025-01-01 00:00:00", count: 1, localZone: zone("Asia/Makassar")) == ["Wed 2025-01-01 04:00:00 UTC"])
        #expect(try elapses(of: "@1735776000", after: "2025-01-01 00:00:00", count: 2) == ["Thu 2025-01-02 00:00:00 UTC"])
        // An instant is in UTC, whatever the abbreviation after it says (timegm ignores the DST flag).
        #expect(try elapses(of: "@2742335615 CEST", after: "2025-01-01 00:00:00", localZone: zone("Europe/Berlin")) == ["Fri 2056-11-24 23:53:35 UTC"])
    }

    /// 2025-03-30 in Berlin: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that day.
    @Test func springForwardGapIsSkipped() throws {
        #expect(try elapses(of: "*-*-* 02:30 Europe/Berlin", after: "2025-03-29 12:00:00")
            == ["Mon 2025-03-31 00:30:00 UTC", "Tue 2025-04-01 00:30:00 UTC", "Wed 2025-04-02 00:30:00 UTC"])
        #expect(try elapses(of: "*:30 Europe/Berlin", after: "2025-03-30 00:00:00", printedIn: zone("Europe/Berlin"))
            == ["Sun 2025-03-30 01:30:00 CET", "Sun 2025-03-30 03:30:00 CEST", "Sun 2025-03-30 04:30:00 CEST"])
    }

    /// 2025-10-26 in Berlin: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice; it fires once.
    @Test func fallBackOverlapFiresOnce() throws {
        #expect(try elapses(of: "*-*-* 02:30 Europe/Berlin", after: "2025-10-25 12:00:00", printedIn: zone("Europe/Berlin"))
            == ["Sun 2025-10-26 02:30:00 CEST", "Mon 2025-10-27 02:30:00 CET", "Tue 2025-10-28 02:30:00 CET"])
        #expect(try elapses(of: "*:30 Europe/Berlin", after: "2025-10-25 23:00:00", count: 4)
            == ["Sat 2025-10-25 23:30:00 UTC", "Sun 2025-10-26 00:30:00 UTC", "Sun 2025-10-26 02:30:00 UTC", "Sun 2025-10-26 03:30:00 UTC"])
        // The same in the local zone.
        #expect(try elapses(of: "*-*-* 02:30", after: "2025-10-25 12:00:00", localZone: zone("Europe/Berlin"))
            == ["Sun 2025-10-26 00:30:00 UTC", "Mon 2025-10-27 01:30:00 UTC", "Tue 2025-10-28 01:30:00 UTC"])
    }

    /// systemd quirk kept: daylight time forced by the abbreviation finds no match in winter, and never elapses.
    @Test func daylightAbbreviationInWinter() throws {
        #expect(try elapses(of: "Mon 12:00 CEST", after: "2025-01-01 00:00:00", localZone: zone("Europe/Berlin")) == [])
        #expect(try elapses(of: "Mon 12:00 CET", after: "2025-01-01 00:00:00", count: 1, localZone: zone("Europe/Berlin")) == ["Mon 2025-01-06 11:00:00 UTC"])
    }

    /// In `right/…` zones time counts leap seconds, and glibc's gmtime_r with them: 1483228826 is 2016-12-31 23:59:60.
    @Test func leapSecondZones() throws {
        let right = zone("right/UTC")
        #expect(throws: CalendarSpecError.self) { try CalendarSpec(parsing: "@1483228826", localZone: right) }
        let spec = try CalendarSpec(parsing: "@1483228827", localZone: right)
        #expect(spec.normalized == "2017-01-01 00:00:00 UTC")
        #expect(try spec.nextElapse(afterMicroseconds: 1_483_228_000_000_000) == 1_483_228_827_000_000)
        #expect(Timestamp.formatUTC(microseconds: 1_483_228_826_000_000, localZone: right) == "Sat 2016-12-31 23:59:60 UTC")
    }

    @Test func theEndOfTheRange() throws {
        #expect(try elapses(of: "2199-12-31 23:59:59", after: "2199-12-30 00:00:00") == ["Tue 2199-12-31 23:59:59 UTC"])
        #expect(try elapses(of: "daily", after: "2199-12-31 00:00:00") == [])
        #expect(throws: CalendarComputationError.baseOutOfRange) {
            try CalendarSpec(parsing: "daily").nextElapse(afterMicroseconds: 253_402_214_400_000_000)
        }
    }
}
