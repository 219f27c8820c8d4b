/// Timestamps as systemd writes and reads them (`format_timestamp`, `parse_timestamp`), in
/// microseconds since the epoch: `Thu 2025-01-02 00:00:00 WITA`.
public enum Timestamp {
    private static let weekdayAbbreviations = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// `Thu 2025-01-02 00:00:00 WITA`: the zone's abbreviation at that instant, as glibc's `tm_zone` gives it.
    public static func format(microseconds: Int64, in zone: ZoneInfo) -> String {
        let fields = zone.localTime(Civil.floorDivide(microseconds, CalendarSpec.microsecondsPerSecond))
        let text = format(fields)
        return fields.zoneAbbreviation.isEmpty ? text : text + " " + fields.zoneAbbreviation
    }

    /// `Wed 2025-01-01 16:00:00 UTC`, as glibc's gmtime_r gives it while `TZ` names `zone` (which
    /// matters only for zones with leap seconds, `right/…`).
    public static func formatUTC(microseconds: Int64, localZone: ZoneInfo = .utc) -> String {
        format(localZone.universalTime(Civil.floorDivide(microseconds, CalendarSpec.microsecondsPerSecond))) + " UTC"
    }

    private static func format(_ fields: BrokenDownTime) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdayAbbreviations[fields.weekday]) \(fields.year + 1900)-\(two(fields.month + 1))-\(two(fields.day)) "
            + "\(two(fields.hour)):\(two(fields.minute)):\(two(fields.second))"
    }

    /// Reads a timestamp the way `systemd-analyze --base-time=` does, and a little more: a zone name
    /// (`2025-01-01 08:00 Asia/Makassar`) is accepted too.
    ///
    /// Accepted: `[WEEKDAY] YYYY-MM-DD [HH:MM[:SS[.FRACTION]]] [UTC|ABBREVIATION|ZONE]` (two-digit years
    /// too), `HH:MM[:SS]` (today), `@SECONDS` (a timespan such as `@1735689600` or `@1h`), `now`, `today`,
    /// `yesterday`, `tomorrow`, `+SPAN`, `-SPAN`, `SPAN ago`, `SPAN left`. `now` is given, so the result is a
    /// pure function of the arguments.
    public static func parse(_ text: String, now: Int64, localZone: ZoneInfo, zones: ZoneDatabase = .system) throws(TimestampError) -> Int64 {
        let invalid = TimestampError(text: text)
        if text.hasPrefix("@") {
            guard let span = Timespan.microseconds(String(text.dropFirst())) else { throw invalid }
            return span
        }
        if text == "now" { return now }
        if text.hasPrefix("+") || text.hasPrefix("-") || text.hasSuffix(" ago") || text.hasSuffix(" left") {
            let later = text.hasPrefix("+") || text.hasSuffix(" left")
            let body = text.hasPrefix("+") || text.hasPrefix("-") ? String(text.dropFirst())
                : String(text.dropLast(text.hasSuffix(" ago") ? 4 : 5))
            guard let span = Timespan.microseconds(body) else { throw invalid }
            let result = later ? now + span : now - span
            guard result >= 0, result <= CalendarSpec.latestBase else { throw invalid }
            return result
        }

        var body = text
        var clock = CivilClock.zone(localZone)
        var isDST = -1
        let lowered = text.lowercased()
        if lowered.hasSuffix(" utc") {
            body = String(text.dropLast(4))
            clock = .utc(localZone)
        } else if let (flavour, name) = [localZone.standardAbbreviation, localZone.daylightAbbreviation].enumerated().first(where: { _, name in
            !name.isEmpty && lowered.count > name.count && lowered.hasSuffix(" " + name.lowercased())
        }) {
            body = String(text.dropLast(name.count + 1))
            isDST = flavour
        } else if let space = text.lastIndex(of: " "), let zone = zones.zone(named: String(text[text.index(after: space)...])) {
            body = String(text[..<space])
            clock = .zone(zone)
        }

        var guess: Int64 = 0
        var fields = clock.brokenDown(Civil.floorDivide(now, CalendarSpec.microsecondsPerSecond))
        fields.isDST = isDST
        var fraction = 0
        switch body {
        case "today":
            (fields.hour, fields.minute, fields.second) = (0, 0, 0)
        case "yesterday":
            fields.day -= 1
            (fields.hour, fields.minute, fields.second) = (0, 0, 0)
        case "tomorrow":
            fields.day += 1
            (fields.hour, fields.minute, fields.second) = (0, 0, 0)
        default:
            var rest = Substring(body)
            var weekday: Int?
            let weekdayNames = ["sunday", "sun", "monday", "mon", "tuesday", "tue", "wednesday", "wed", "thursday", "thu",
                                "friday", "fri", "saturday", "sat"]
            if let (index, name) = weekdayNames.enumerated().first(where: { rest.lowercased().hasPrefix($0.element + " ") }) {
                weekday = index / 2
                rest = rest.dropFirst(name.count + 1)
            }
            guard let parsed = DateTimeScanner.parse(Array(rest.utf8), into: &fields) else { throw invalid }
            fraction = parsed
            if let weekday {
                var check = fields
                _ = clock.normalize(&check, guess: &guess)
                if check.weekday != weekday { throw invalid }
            }
        }
        guard let seconds = clock.normalize(&fields, guess: &guess), seconds >= 0 else { throw invalid }
        let result = seconds * CalendarSpec.microsecondsPerSecond + Int64(fraction)
        guard result <= CalendarSpec.latestBase else { throw invalid }
        return result
    }
}

/// The date and time layouts systemd tries in turn with `strptime`, read as glibc's `strptime` reads
/// them (numbers may have fewer digits, spaces are optional around them).
private enum DateTimeScanner {
    private enum Field { case shortYear, year, month, day, hour, minute, second }
    private enum Token { case field(Field), literal(UInt8), space }

    private struct Layout {
        var tokens: [Token]
        /// `.FRACTION` may follow.
        var hasSeconds: Bool
        var hasTime: Bool
    }

    private static let layouts: [Layout] = [
        Layout(tokens: tokens("y-m-d H:M:S"), hasSeconds: true, hasTime: true),
        Layout(tokens: tokens("Y-m-d H:M:S"), hasSeconds: true, hasTime: true),
        Layout(tokens: tokens("y-m-d H:M"), hasSeconds: false, hasTime: true),
        Layout(tokens: tokens("Y-m-d H:M"), hasSeconds: false, hasTime: true),
        Layout(tokens: tokens("y-m-d"), hasSeconds: false, hasTime: false),
        Layout(tokens: tokens("Y-m-d"), hasSeconds: false, hasTime: false),
        Layout(tokens: tokens("H:M:S"), hasSeconds: true, hasTime: true),
        Layout(tokens: tokens("H:M"), hasSeconds: false, hasTime: true),
    ]

    private static func tokens(_ layout: String) -> [Token] {
        layout.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "y"): .field(.shortYear)
            case UInt8(ascii: "Y"): .field(.year)
            case UInt8(ascii: "m"): .field(.month)
            case UInt8(ascii: "d"): .field(.day)
            case UInt8(ascii: "H"): .field(.hour)
            case UInt8(ascii: "M"): .field(.minute)
            case UInt8(ascii: "S"): .field(.second)
            case UInt8(ascii: " "): .space
            default: .literal(byte)
            }
        }
    }

    /// Fills `fields` from the first layout that matches all of `bytes`; returns the microseconds.
    static func parse(_ bytes: [UInt8], into fields: inout BrokenDownTime) -> Int? {
        for layout in layouts {
            var candidate = fields
            guard var index = match(layout.tokens, bytes, into: &candidate) else { continue }
            var fraction = 0
            if index < bytes.count {
                guard layout.hasSeconds, bytes[index] == UInt8(ascii: ".") else { continue }
                index += 1
                guard let (value, end) = Timespan.fraction(bytes, from: index), end == bytes.count else { return nil }
                fraction = value
            }
            if !layout.hasSeconds { candidate.second = 0 }
            if !layout.hasTime { (candidate.hour, candidate.minute) = (0, 0) }
            fields = candidate
            return fraction
        }
        return nil
    }

    private static func match(_ tokens: [Token], _ bytes: [UInt8], into fields: inout BrokenDownTime) -> Int? {
        var index = 0
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (byte >= 9 && byte <= 13) }
        for token in tokens {
            switch token {
            case .space:
                while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            case .literal(let byte):
                guard index < bytes.count, bytes[index] == byte else { return nil }
                index += 1
            case .field(let field):
                let (digits, lowest, highest) = switch field {
                case .shortYear: (2, 0, 99)
                case .year: (4, 0, 9999)
                case .month: (2, 1, 12)
                case .day: (2, 1, 31)
                case .hour: (2, 0, 23)
                case .minute: (2, 0, 59)
                case .second: (2, 0, 61)
                }
                while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                guard index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 else { return nil }
                var value = 0
                var remaining = digits
                repeat {
                    value = value * 10 + Int(bytes[index] - 48)
                    index += 1
                    remaining -= 1
                } while remaining > 0 && value * 10 <= highest && index < bytes.count && bytes[index] >= 48 && bytes[index] <= 57
                guard value >= lowest, value <= highest else { return nil }
                switch field {
                case .shortYear: fields.year = value < 69 ? value + 100 : value
                case .year: fields.year = value - 1900
                case .month: fields.month = value - 1
                case .day: fields.day = value
                case .hour: fields.hour = value
                case .minute: fields.minute = value
                case .second: fields.second = value
                }
            }
        }
        return index
    }
}
