import Foundation
import KawalCalendar
import Testing
@testable import KawalDaemon

/// The store's clock and the timers' calendar read the same zone, also when tzdata lacks it.
@Suite struct DeploymentZoneTests {
    static let noon = Date(timeIntervalSince1970: 1_735_732_800) // 2025-01-01 12:00 UTC

    @Test(arguments: ["Asia/Makassar", "Asia/Jakarta", "UTC", "Europe/Berlin"])
    func aZoneTzdataHasIsUsedForBoth(name: String) throws {
        let zone = DeploymentZone(named: name)
        try #require(zone.loaded)
        #expect(zone.timeZone == TimeZone(identifier: name))
        #expect(zone.zoneInfo.identifier == name)
    }

    @Test func withoutTzdataBothFallBackToWITA() {
        let zone = DeploymentZone(named: "Asia/Makassar", zones: ZoneDatabase(directory: "/nonexistent"))
        #expect(!zone.loaded)
        #expect(zone.timeZone.secondsFromGMT(for: Self.noon) == 8 * 3600)
        let microseconds = Int64(Self.noon.timeIntervalSince1970) * 1_000_000
        #expect(Timestamp.format(microseconds: microseconds, in: zone.zoneInfo) == "Wed 2025-01-01 20:00:00 WITA")
    }

    @Test func theConfigurationNamesIt() throws {
        let config = try Configuration.parse("[daemon]\ntime_zone = \"Asia/Jakarta\"\n", file: "k.toml")
        #expect(config.zone.timeZone.identifier == "Asia/Jakarta")
        #expect(config.zone.zoneInfo.identifier == "Asia/Jakarta")
    }
}
