import Testing
@testable import KawalCalendar

@Suite struct ZoneInfoTests {
    /// 2025-07-01 12:00:00 UTC.
    let julyNoon: Int64 = 1_751_371_200

    private func zone(_ name: String) -> ZoneInfo { ZoneDatabase.system.zone(named: name)! }

    private func wallClock(_ time: Int64, in zone: ZoneInfo) -> String {
        let t = zone.localTime(time)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(t.year + 1900)-\(two(t.month + 1))-\(two(t.day)) \(two(t.hour)):\(two(t.minute)):\(two(t.second)) \(t.zoneAbbreviation)"
    }

    @Test func abbreviationsAsGlibcReportsThem() {
        let makassar = zone("Asia/Makassar")
        #expect(makassar.standardAbbreviation == "WITA" && makassar.daylightAbbreviation == "WITA" && !makassar.isUTC)
        let berlin = zone("Europe/Berlin")
        #expect(berlin.standardAbbreviation == "CET" && berlin.daylightAbbreviation == "CEST")
        #expect(zone("Etc/UTC").isUTC && zone("UTC").isUTC && !zone("Europe/London").isUTC)
    }

    @Test func localTimes() {
        #expect(wallClock(julyNoon, in: zone("Asia/Makassar")) == "2025-07-01 20:00:00 WITA")
        #expect(wallClock(julyNoon, in: zone("Asia/Jakarta")) == "2025-07-01 19:00:00 WIB")
        #expect(wallClock(julyNoon, in: zone("Europe/Berlin")) == "2025-07-01 14:00:00 CEST")
        #expect(wallClock(julyNoon, in: zone("America/New_York")) == "2025-07-01 08:00:00 EDT")
        // Before 1970 and after the last transition in the file (2037), where the TZ-string footer rules.
        #expect(wallClock(-1_000_000_000, in: zone("Asia/Makassar")) == "1938-04-25 06:13:20 +08")
        #expect(wallClock(5_646_729_600, in: zone("Europe/Berlin")) == "2148-12-08 17:00:00 CET")
        #expect(wallClock(5_631_177_600, in: zone("Europe/Berlin")) == "2148-06-11 18:00:00 CEST")
    }

    @Test func posixRules() {
        let central = ZoneInfo(posixRule: "CET-1CEST,M3.5.0,M10.5.0/3")
        #expect(wallClock(1_743_296_399, in: central) == "2025-03-30 01:59:59 CET")
        #expect(wallClock(1_743_296_400, in: central) == "2025-03-30 03:00:00 CEST")
        #expect(wallClock(1_761_440_400, in: central) == "2025-10-26 02:00:00 CET")
        #expect(wallClock(1_735_689_600, in: ZoneInfo(posixRule: "<+0530>-5:30")) == "2025-01-01 05:30:00 +0530")
        // What glibc makes of a TZ that is neither a file nor a rule: UTC, under the name it read.
        #expect(wallClock(1_735_689_600, in: ZoneInfo(posixRule: "Nowhere/Foo")) == "2025-01-01 00:00:00 Nowhere")
    }

    /// mktime: a wall time in a spring-forward gap moves to the daylight side; one that happens twice
    /// resolves to the offset used last (glibc's remembered guess).
    @Test func wallTimesToInstants() {
        let berlin = CivilClock.zone(zone("Europe/Berlin"))
        var gap = BrokenDownTime(year: 125, month: 2, day: 30, hour: 2, minute: 30, second: 0)
        gap.isDST = -1
        var guess: Int64 = 3600 * -1
        #expect(berlin.normalize(&gap, guess: &guess) == 1_743_298_200)
        #expect(gap.hour == 3 && gap.isDST == 1)
        var twice = BrokenDownTime(year: 125, month: 9, day: 26, hour: 2, minute: 30, second: 0)
        twice.isDST = -1
        guess = -7200
        #expect(berlin.normalize(&twice, guess: &guess) == 1_761_438_600)
        twice = BrokenDownTime(year: 125, month: 9, day: 26, hour: 2, minute: 30, second: 0)
        twice.isDST = -1
        guess = -3600
        #expect(berlin.normalize(&twice, guess: &guess) == 1_761_442_200)
    }

    @Test func theTZVariable() {
        let zones = ZoneDatabase.system
        #expect(zones.zone(forTZ: ":Asia/Makassar").standardAbbreviation == "WITA")
        #expect(zones.zone(forTZ: "").isUTC)
        #expect(zones.zone(forTZ: "EST5EDT,M3.2.0,M11.1.0").identifier == "EST5EDT,M3.2.0,M11.1.0")
        #expect(zones.zone(named: "Asia//Makassar") == nil && zones.zone(named: "Asia") == nil && zones.zone(named: "zone.tab") == nil)
        #expect(zones.zone(named: "Etc/GMT+8") != nil && zones.zone(named: "../etc/passwd") == nil)
    }
}
