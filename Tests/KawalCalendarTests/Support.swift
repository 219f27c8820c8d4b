@testable import KawalCalendar

/// Microseconds since the epoch of a UTC time written `YYYY-MM-DD HH:MM:SS[.ffffff]`.
func utc(_ text: String) throws -> Int64 {
    try Timestamp.parse(text + " UTC", now: 0, localZone: .utc)
}

/// The next `count` elapses after `base` (UTC), as systemd-analyze prints them in `zone`.
func elapses(of expression: String, after base: String, count: Int = 3, localZone: ZoneInfo = .utc, printedIn zone: ZoneInfo = .utc) throws -> [String] {
    let spec = try CalendarSpec(parsing: expression, localZone: localZone)
    var after = try utc(base)
    var result: [String] = []
    for _ in 0..<count {
        guard let next = try spec.nextElapse(afterMicroseconds: after) else { break }
        result.append(Timestamp.format(microseconds: next, in: zone))
        after = next
    }
    return result
}

func zone(_ name: String) -> ZoneInfo {
    ZoneDatabase.system.zone(named: name)!
}
