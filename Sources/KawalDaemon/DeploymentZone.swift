import Foundation
import KawalCalendar

/// The deployment's time zone, `[daemon] time_zone`, the one source of every time kawald reads or
/// shows: the store's times (Foundation's `TimeZone`) and the timers' and backup schedule's calendar
/// expressions (tzdata's `ZoneInfo`). Where tzdata lacks the zone (a container without the tzdata
/// package, which `kawalctl doctor` reports), both fall back to the same fixed offset, WITA's +08:00.
///
/// ```swift
/// let zone = DeploymentZone(named: "Asia/Makassar")
/// TimeContext(zone: zone.timeZone)
/// try CalendarSpec(parsing: "daily 01:00", localZone: zone.zoneInfo)
/// ```
public struct DeploymentZone: Sendable {
    public let timeZone: TimeZone
    public let zoneInfo: ZoneInfo
    /// Whether tzdata has the zone; else this is the fallback.
    public let loaded: Bool

    static let fallbackOffset = 8 * 3600

    public init(named name: String, zones: ZoneDatabase = .system) {
        if let zoneInfo = zones.zone(named: name), let timeZone = TimeZone(identifier: name) {
            (self.timeZone, self.zoneInfo, loaded) = (timeZone, zoneInfo, true)
        } else {
            timeZone = TimeZone(secondsFromGMT: Self.fallbackOffset)!
            zoneInfo = ZoneInfo(posixRule: "WITA-8")
            loaded = false
        }
    }
}

extension Configuration {
    /// `timeZone` as the zone itself.
    public var zone: DeploymentZone { DeploymentZone(named: timeZone) }
}
