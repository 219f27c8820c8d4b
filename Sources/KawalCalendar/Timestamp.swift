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

    /// `Wed 2025-01-01 16:00:00 UTC`.
    public static func formatUTC(microseconds: Int64) -> String {
        format(BrokenDownTime(utc: Civil.floorDivide(microseconds, CalendarSpec.microsecondsPerSecond))) + " UTC"
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
            clock = .utc
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

/// A timestamp that could not be read.
public struct TimestampError: Error, Equatable, Sendable, CustomStringConvertible {
    public let text: String

    public var description: String {
        "'\(text)' is not a timestamp; expected YYYY-MM-DD [HH:MM[:SS[.FRACTION]]] [UTC|ZONE], HH:MM[:SS], @SECONDS, "
            + "now, today, yesterday, tomorrow, +SPAN, -SPAN or SPAN ago (e.g. '2025-01-01 00:00:00 UTC' or '@1735689600')"
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

/// systemd's timespans (`parse_sec`): `90`, `1.5`, `1h 30min`, `2d`, … in microseconds.
enum Timespan {
    private static let units: [(suffix: String, microseconds: Int64)] = [
        ("seconds", 1_000_000), ("second", 1_000_000), ("sec", 1_000_000), ("s", 1_000_000),
        ("minutes", 60_000_000), ("minute", 60_000_000), ("min", 60_000_000),
        ("months", 2_629_800_000_000), ("month", 2_629_800_000_000), ("M", 2_629_800_000_000),
        ("msec", 1000), ("ms", 1000), ("m", 60_000_000),
        ("hours", 3_600_000_000), ("hour", 3_600_000_000), ("hr", 3_600_000_000), ("h", 3_600_000_000),
        ("days", 86_400_000_000), ("day", 86_400_000_000), ("d", 86_400_000_000),
        ("weeks", 604_800_000_000), ("week", 604_800_000_000), ("w", 604_800_000_000),
        ("years", 31_557_600_000_000), ("year", 31_557_600_000_000), ("y", 31_557_600_000_000),
        ("usec", 1), ("us", 1), ("µs", 1),
    ]

    static func microseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        var total: Int64 = 0
        var something = false
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (byte >= 9 && byte <= 13) }
        while true {
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            if index == bytes.count { return something ? total : nil }
            guard (bytes[index] >= 48 && bytes[index] <= 57) || bytes[index] == UInt8(ascii: ".") else { return nil }
            var whole: Int64 = 0
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                let (times, o1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int64(bytes[index] - 48))
                guard !o1, !o2 else { return nil }
                whole = sum
                index += 1
            }
            var fractionDigits: ArraySlice<UInt8> = []
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let fractionStart = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
                fractionDigits = bytes[fractionStart..<index]
                guard !fractionDigits.isEmpty else { return nil }
            } else if index == start {
                return nil
            }
            let afterNumber = index
            var unitStart = index
            while unitStart < bytes.count, isSpace(bytes[unitStart]) { unitStart += 1 }
            var multiplier: Int64 = 1_000_000
            var afterUnit = unitStart
            if let unit = units.first(where: { bytes[unitStart...].starts(with: $0.suffix.utf8) }) {
                multiplier = unit.microseconds
                afterUnit = unitStart + unit.suffix.utf8.count
            }
            if afterUnit == afterNumber && afterUnit < bytes.count { return nil }
            index = afterUnit
            let (part, overflow) = whole.multipliedReportingOverflow(by: multiplier)
            let (sum, overflowTotal) = total.addingReportingOverflow(part)
            guard !overflow, !overflowTotal else { return nil }
            total = sum
            var scale = multiplier / 10
            for digit in fractionDigits {
                total += Int64(digit - 48) * scale
                scale /= 10
            }
            something = true
        }
    }

    /// Up to six decimals of a second, a seventh rounding (systemd's `parse_fractional_part_u`).
    static func fraction(_ bytes: [UInt8], from start: Int) -> (microseconds: Int, end: Int)? {
        var index = start
        var value = 0
        var digits = 0
        while digits < 6, index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            value = value * 10 + Int(bytes[index] - 48)
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        for _ in digits..<6 { value *= 10 }
        if index < bytes.count, bytes[index] >= UInt8(ascii: "5"), bytes[index] <= UInt8(ascii: "9") { value += 1 }
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
        return (value, index)
    }
}
