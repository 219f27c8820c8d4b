/// Reads `[WEEKDAYS] [DATE] [TIME] [ZONE]` and the shorthands, accepting exactly what systemd's
/// `calendar_spec_from_string` accepts (systemd 252), byte by byte; what it rejects is reported
/// with its position and what would fit there.
struct CalendarSpecParser {
    private static let microsecondsPerSecond = 1_000_000
    /// systemd's `CALENDARSPEC_COMPONENTS_MAX`: list items beyond it are refused.
    private static let maximumListLength = 240
    private static let weekdayNames: [(name: String, number: Int)] = [
        ("monday", 0), ("mon", 0), ("tuesday", 1), ("tue", 1), ("wednesday", 2), ("wed", 2),
        ("thursday", 3), ("thu", 3), ("friday", 4), ("fri", 4), ("saturday", 5), ("sat", 5),
        ("sunday", 6), ("sun", 6),
    ]
    private static let expectedWeekday = "Mon, Tue, Wed, Thu, Fri, Sat or Sun (or the full name)"
    private static let expectedNumber = "a number or '*'"

    let text: String
    let localZone: ZoneInfo
    let zones: ZoneDatabase
    /// The expression without its zone suffix.
    private var bytes: [UInt8]
    private var index = 0
    /// The word after the last space, when it was not taken as a zone: named in errors at its position.
    private var unknownZone: (word: String, position: Int)?

    init(text: String, localZone: ZoneInfo, zones: ZoneDatabase) {
        self.text = text
        self.localZone = localZone
        self.zones = zones
        bytes = Array(text.utf8)
    }

    mutating func parse() throws(CalendarSpecError) -> CalendarSpec {
        var spec = CalendarSpec(original: text, clock: .zone(localZone))
        var zone: ZoneInfo?
        if Self.hasSuffix(bytes, " utc") {
            spec.utc = true
            bytes.removeLast(4)
        } else if let (flavour, name) = localAbbreviationSuffix() {
            spec.dst = flavour
            spec.dstAbbreviation = name
            bytes.removeLast(name.utf8.count + 1)
        } else if let space = bytes.lastIndex(of: UInt8(ascii: " ")) {
            let word = String(decoding: bytes[(space + 1)...], as: UTF8.self)
            if let named = zones.zone(named: word) {
                spec.timezone = word
                zone = named
                bytes.removeSubrange(space...)
            } else {
                unknownZone = (word, space + 1)
            }
        }
        guard !bytes.isEmpty else {
            throw error(at: nil, "the expression is empty",
                        expected: "a shorthand (minutely, hourly, daily, weekly, monthly, quarterly, semiannually, yearly) or [WEEKDAYS] [DATE] [TIME] [ZONE], e.g. 'Mon..Fri *-*-* 08:00'")
        }

        if !parseShorthand(into: &spec) {
            try refuseCombinedShorthand()
            try parseWeekdays(into: &spec)
            if try !parseDate(into: &spec) {
                try parseTime(into: &spec)
            }
            guard index == bytes.count else {
                throw error(at: index, "unexpected text after the time", expected: "the end of the expression, or ' ' and a time zone")
            }
        }

        spec.normalize()
        try validate(spec)
        if spec.utc {
            spec.clock = .utc(zone ?? localZone)
        } else if let zone {
            spec.clock = .zone(zone)
        }
        return spec
    }

    // MARK: - Zone suffixes

    private func localAbbreviationSuffix() -> (Int, String)? {
        for (flavour, name) in [localZone.standardAbbreviation, localZone.daylightAbbreviation].enumerated() where !name.isEmpty {
            let suffix = Array(name.utf8)
            guard bytes.count > suffix.count, Self.hasSuffix(bytes, name.lowercased()),
                  bytes[bytes.count - suffix.count - 1] == UInt8(ascii: " ") else { continue }
            return (flavour, name)
        }
        return nil
    }

    private static func hasSuffix(_ bytes: [UInt8], _ lowercaseSuffix: String) -> Bool {
        let suffix = Array(lowercaseSuffix.utf8)
        guard bytes.count >= suffix.count else { return false }
        return zip(bytes[(bytes.count - suffix.count)...], suffix).allSatisfy { lowercased($0) == lowercased($1) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    // MARK: - Shorthands

    private mutating func parseShorthand(into spec: inout CalendarSpec) -> Bool {
        let word = String(decoding: bytes.map(Self.lowercased), as: UTF8.self)
        let midnight = [CalendarSpec.Component(start: 0)]
        switch word {
        case "minutely":
            spec.microsecond = midnight
        case "hourly":
            (spec.minute, spec.microsecond) = (midnight, midnight)
        case "daily":
            (spec.hour, spec.minute, spec.microsecond) = (midnight, midnight, midnight)
        case "monthly":
            spec.day = [.init(start: 1)]
            (spec.hour, spec.minute, spec.microsecond) = (midnight, midnight, midnight)
        case "annually", "yearly", "anually":
            (spec.month, spec.day) = ([.init(start: 1)], [.init(start: 1)])
            (spec.hour, spec.minute, spec.microsecond) = (midnight, midnight, midnight)
        case "weekly":
            spec.weekdays = 1
            (spec.hour, spec.minute, spec.microsecond) = (midnight, midnight, midnight)
        case "quarterly":
            spec.month = [1, 4, 7, 10].map { .init(start: $0) }
            spec.day = [.init(start: 1)]
            (spec.hour, spec.minute, spec.microsecond) = (midnight, midnight, midnight)
        case "biannually", "bi-annually", "semiannually", "semi-annually":
            spec.month = [1, 7].map { .init(start: $0) }
            spec.day = [.init(start: 1)]
            (spec.hour, spec.minute, spec.microsecond) = (midnight, midnight, midnight)
        default:
            return false
        }
        return true
    }

    /// `daily 12:00`: systemd refuses it like any other text it cannot read; say why.
    private func refuseCombinedShorthand() throws(CalendarSpecError) {
        guard let space = bytes.firstIndex(of: UInt8(ascii: " ")) else { return }
        let word = String(decoding: bytes[..<space].map(Self.lowercased), as: UTF8.self)
        guard Self.shorthands.contains(word) else { return }
        var rest = space
        while rest < bytes.count, bytes[rest] == UInt8(ascii: " ") { rest += 1 }
        throw error(at: rest, "'\(word)' stands for a whole expression and takes nothing after it but a time zone",
                    expected: "the end of the expression, a time zone, or a full expression instead, e.g. '*-*-* 12:00'")
    }

    private static let shorthands: Set<String> = [
        "minutely", "hourly", "daily", "monthly", "annually", "yearly", "anually", "weekly", "quarterly",
        "biannually", "bi-annually", "semiannually", "semi-annually",
    ]

    // MARK: - Weekdays

    private var current: UInt8 { index < bytes.count ? bytes[index] : 0 }

    private func byte(at position: Int) -> UInt8 { position < bytes.count ? bytes[position] : 0 }

    private mutating func skipSpaces() {
        while current == UInt8(ascii: " ") { index += 1 }
    }

    private mutating func parseWeekdays(into spec: inout CalendarSpec) throws(CalendarSpecError) {
        var rangeStart = -1
        var first = true
        var bits = 0
        defer { if bits != 0 { spec.weekdays = bits } }
        while true {
            guard let (name, number) = Self.weekdayNames.first(where: { Self.hasPrefix(bytes[index...], $0.name) }) else {
                if first { return }
                let word = self.word(at: index)
                let problem = if word.isEmpty {
                    rangeStart >= 0 ? "a weekday range needs a last day" : "expected a weekday after ','"
                } else if let initial = word.first, initial.isNumber || initial == "*" {
                    "expected a weekday, not '\(word)' (a space separates the weekdays from the date or time)"
                } else {
                    "'\(word)' is not a weekday"
                }
                throw error(at: index, problem, expected: Self.expectedWeekday)
            }
            let start = index
            let end = index + name.utf8.count
            guard [0, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: " ")].contains(byte(at: end)) else {
                throw error(at: start, "'\(word(at: start))' is not a weekday", expected: Self.expectedWeekday + ", then ',', '..', a space or the end")
            }
            bits |= 1 << number
            if rangeStart >= 0 {
                if rangeStart > number {
                    throw error(at: start, "the weekday range runs backwards (weeks go from Mon to Sun)",
                                expected: "a weekday from \(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][rangeStart]) to Sun (across the weekend, list the days: 'Sat,Sun,Mon')")
                }
                for day in (rangeStart + 1)..<max(number, rangeStart + 1) { bits |= 1 << day }
            }
            index = end

            if current == 0 { return }
            if current == UInt8(ascii: " ") {
                skipSpaces()
                return
            }
            if current == UInt8(ascii: ".") {
                if rangeStart >= 0 {
                    throw error(at: index, "a weekday range cannot continue into another range", expected: "',' or a space")
                }
                guard byte(at: index + 1) == UInt8(ascii: ".") else {
                    throw error(at: index, "a single '.' after a weekday", expected: "'..' for a range of weekdays, ',' or a space")
                }
                rangeStart = number
                index += 2
            } else if current == UInt8(ascii: "-") {
                if rangeStart >= 0 {
                    throw error(at: index, "a weekday range cannot continue into another range", expected: "',' or a space")
                }
                rangeStart = number
                index += 1
            } else if current == UInt8(ascii: ",") {
                rangeStart = -1
                index += 1
            }
            if current == 0 || current == UInt8(ascii: " ") {
                if rangeStart >= 0 {
                    throw error(at: index, "a weekday range needs a last day", expected: Self.expectedWeekday)
                }
                skipSpaces()
                return
            }
            first = false
        }
    }

    /// The text from `start` to the next space, comma or dot, for error messages.
    private func word(at start: Int) -> String {
        var end = start
        while end < bytes.count, ![UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: ".")].contains(bytes[end]) { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private static func hasPrefix(_ bytes: ArraySlice<UInt8>, _ lowercasePrefix: String) -> Bool {
        let prefix = Array(lowercasePrefix.utf8)
        guard bytes.count >= prefix.count else { return false }
        return zip(bytes, prefix).allSatisfy { lowercased($0) == $1 }
    }

    // MARK: - Date

    /// Returns true when the date settled the time as well (`@SECONDS`).
    private mutating func parseDate(into spec: inout CalendarSpec) throws(CalendarSpecError) -> Bool {
        guard current != 0 else { return false }
        if current == UInt8(ascii: "@") {
            try parseEpoch(into: &spec)
            return true
        }
        if Self.isLetter(current) {
            throw error(at: index, "'\(word(at: index))' is not a weekday or a shorthand",
                        expected: "a weekday (Mon…Sun), a shorthand (minutely, hourly, daily, weekly, monthly, quarterly, semiannually, yearly), "
                            + "a date such as 2025-01-31 or a time such as 08:00")
        }
        let start = index
        let first = try parseChain(microseconds: false, field: "year, month or hour")
        if current == 0 || current == UInt8(ascii: ":") {
            // A time, not a date: read it again as one.
            index = start
            return false
        }
        let firstSeparator = index
        if current == UInt8(ascii: "~") {
            spec.endOfMonth = true
        } else if current != UInt8(ascii: "-") {
            throw error(at: index, "unexpected character after the first field",
                        expected: "'-' or '~' (a date such as 2025-01-31 or *-*~01) or ':' (a time such as 08:00)")
        }
        index += 1
        let second = try parseChain(microseconds: false, field: "month or day")
        if current == 0 || current == UInt8(ascii: " ") {
            skipSpaces()
            (spec.month, spec.day) = (first, second)
            return false
        }
        if spec.endOfMonth {
            throw error(at: firstSeparator, "'~' stands between the month and the day",
                        expected: "YEAR-MONTH~DAY, e.g. 2025-*~01 (the last day of every month)")
        }
        if current == UInt8(ascii: "~") {
            spec.endOfMonth = true
        } else if current != UInt8(ascii: "-") {
            throw error(at: index, "unexpected character in the date", expected: "'-' or '~' before the day, or a space before the time")
        }
        index += 1
        let third = try parseChain(microseconds: false, field: "day")
        guard current == 0 || current == UInt8(ascii: " ") else {
            throw error(at: index, "unexpected character after the day", expected: "a space and then the time, or the end")
        }
        skipSpaces()
        (spec.year, spec.month, spec.day) = (first, second, third)
        return false
    }

    /// `@SECONDS`: one instant, in UTC (systemd reads the number with `strtoul`).
    private mutating func parseEpoch(into spec: inout CalendarSpec) throws(CalendarSpecError) {
        let at = index
        index += 1
        while [UInt8(ascii: " "), 9, 10, 11, 12, 13].contains(current) { index += 1 }
        var negative = false
        if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") {
            negative = current == UInt8(ascii: "-")
            index += 1
        }
        let digitsStart = index
        var value: UInt64 = 0
        var overflow = false
        while current >= UInt8(ascii: "0") && current <= UInt8(ascii: "9") {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(current - UInt8(ascii: "0")))
            overflow = overflow || o1 || o2
            value = sum
            index += 1
        }
        guard index > digitsStart else {
            throw error(at: at + 1, "expected seconds since 1970-01-01 00:00:00 UTC after '@'", expected: "digits, e.g. @1735689600")
        }
        guard !overflow else { throw error(at: digitsStart, "the number is too large", expected: "seconds from 1970 to 2199") }
        let seconds = Int64(bitPattern: negative ? 0 &- value : value)
        // In UTC as glibc's gmtime_r gives it under the local zone (leap seconds count in `right/…` zones).
        let time = localZone.universalTime(seconds)
        let position = at
        spec.year = [.init(start: time.year + 1900, position: position)]
        spec.month = [.init(start: time.month + 1, position: position)]
        spec.day = [.init(start: time.day, position: position)]
        spec.hour = [.init(start: time.hour, position: position)]
        spec.minute = [.init(start: time.minute, position: position)]
        spec.microsecond = [.init(start: time.second * Self.microsecondsPerSecond, position: position)]
        spec.utc = true
    }

    // MARK: - Time

    private mutating func parseTime(into spec: inout CalendarSpec) throws(CalendarSpecError) {
        guard current != 0 else {
            (spec.hour, spec.minute, spec.microsecond) = ([.init(start: 0)], [.init(start: 0)], [.init(start: 0)])
            return
        }
        let hour = try parseChain(microseconds: false, field: "hour")
        guard current == UInt8(ascii: ":") else {
            throw error(at: index, current == 0 ? "a time needs minutes" : "unexpected character after the hour",
                        expected: "':' and the minutes, e.g. 08:00")
        }
        index += 1
        let minute = try parseChain(microseconds: false, field: "minute")
        var second = [CalendarSpec.Component(start: 0)]
        if current != 0 {
            guard current == UInt8(ascii: ":") else {
                throw error(at: index, "unexpected text after the minutes", expected: "':' and the seconds, or the end (or ' ' and a time zone)")
            }
            index += 1
            second = try parseChain(microseconds: true, field: "second") ?? []
            guard current == 0 else {
                throw error(at: index, "unexpected text after the seconds", expected: "the end (or ' ' and a time zone)")
            }
        }
        (spec.hour, spec.minute, spec.microsecond) = (hour, minute, second)
    }

    // MARK: - Components

    /// `*`, or a comma-separated list of `N`, `N..M`, `N/R`, `N..M/R`. Nil for `*` (except in seconds,
    /// where `*` is `0/1`).
    private mutating func parseChain(microseconds: Bool, field: String) throws(CalendarSpecError) -> [CalendarSpec.Component]? {
        if current == UInt8(ascii: "*") {
            let position = index
            index += 1
            return microseconds ? [.init(start: 0, repeat: Self.microsecondsPerSecond, position: position)] : nil
        }
        var chain: [CalendarSpec.Component] = []
        while true {
            if chain.count > Self.maximumListLength {
                throw error(at: index, "the list has more than \(Self.maximumListLength + 1) items", expected: "a shorter list, or a range such as 1..31")
            }
            let position = index
            let start = try parseNumber(microseconds: microseconds, field: field)
            var stop = -1
            var repetition = 0
            if current == UInt8(ascii: "."), byte(at: index + 1) == UInt8(ascii: ".") {
                index += 2
                stop = try parseNumber(microseconds: microseconds, field: "end of the \(field) range")
                repetition = microseconds ? Self.microsecondsPerSecond : 1
            }
            if current == UInt8(ascii: "/") {
                index += 1
                let repeatPosition = index
                repetition = try parseNumber(microseconds: microseconds, field: "repetition")
                if repetition == 0 {
                    throw error(at: repeatPosition, "a repetition of 0 never moves on", expected: "a repetition of at least 1 (or 0.000001 in seconds)")
                }
            } else {
                if start > Int(Int32.max) - repetition {
                    throw error(at: position, "the number is too large", expected: "\(Self.article(field)) \(field) in range")
                }
                if microseconds && stop >= 0 && start + repetition > stop {
                    throw error(at: position, "a range of seconds must span at least one second",
                                expected: "START..STOP with STOP at least 1 s after START, or a repetition such as 00..01/0.5")
                }
            }
            guard [0, UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "~"), UInt8(ascii: ":")].contains(current) else {
                throw error(at: index, "unexpected character after the \(field)",
                            expected: "',' (a list), '..' (a range), '/' (a repetition)\(microseconds ? ", '.' (a fraction)" : ""), or the next part of the expression")
            }
            chain.append(.init(start: start, stop: stop, repeat: repetition, position: position))
            guard current == UInt8(ascii: ",") else { return chain }
            index += 1
        }
    }

    /// A decimal number; in seconds, with up to six decimals (a seventh rounds).
    private mutating func parseNumber(microseconds: Bool, field: String) throws(CalendarSpecError) -> Int {
        let start = index
        guard current >= UInt8(ascii: "0") && current <= UInt8(ascii: "9") else {
            throw error(at: index, current == 0 ? "the \(field) is missing" : "expected \(Self.article(field)) \(field)",
                        expected: field.hasPrefix("repetition") || field.hasPrefix("end") ? "a number" : Self.expectedNumber)
        }
        var value = 0
        var tooLarge = false
        while current >= UInt8(ascii: "0") && current <= UInt8(ascii: "9") {
            value = value * 10 + Int(current - UInt8(ascii: "0"))
            if value > Int(Int32.max) { tooLarge = true; value = Int(Int32.max) + 1 }
            index += 1
        }
        if microseconds {
            value *= Self.microsecondsPerSecond
            if current == UInt8(ascii: "."), byte(at: index + 1) != UInt8(ascii: ".") {
                index += 1
                guard current >= UInt8(ascii: "0") && current <= UInt8(ascii: "9") else {
                    throw error(at: index, "expected digits after the decimal point", expected: "a fraction of a second, e.g. 00:00:01.5")
                }
                var fraction = 0
                var digits = 0
                while digits < 6, current >= UInt8(ascii: "0") && current <= UInt8(ascii: "9") {
                    fraction = fraction * 10 + Int(current - UInt8(ascii: "0"))
                    digits += 1
                    index += 1
                }
                for _ in digits..<6 { fraction *= 10 }
                if current >= UInt8(ascii: "5") && current <= UInt8(ascii: "9") { fraction += 1 }
                while current >= UInt8(ascii: "0") && current <= UInt8(ascii: "9") { index += 1 }
                value += fraction
            }
        }
        if tooLarge || value > Int(Int32.max) {
            throw error(at: start, "the number is too large", expected: "\(Self.article(field)) \(field) in range")
        }
        return value
    }

    // MARK: - Validation

    private func validate(_ spec: CalendarSpec) throws(CalendarSpecError) {
        try validate(spec.year, field: "year", from: 1970, to: 2199)
        try validate(spec.month, field: "month", from: 1, to: 12)
        try validate(spec.day, field: "day", from: 1, to: 31, endOfMonth: spec.endOfMonth)
        try validate(spec.hour, field: "hour", from: 0, to: 23)
        try validate(spec.minute, field: "minute", from: 0, to: 59)
        try validate(spec.microsecond, field: "second", from: 0, to: 60 * Self.microsecondsPerSecond - 1, microseconds: true)
    }

    private func validate(_ chain: [CalendarSpec.Component]?, field: String, from: Int, to fullRange: Int,
                          endOfMonth: Bool = false, microseconds: Bool = false) throws(CalendarSpecError) {
        func shown(_ value: Int) -> String {
            guard microseconds else { return String(value) }
            let fraction = value % Self.microsecondsPerSecond
            return String(value / Self.microsecondsPerSecond) + (fraction > 0 ? "." + String(String(fraction + 1_000_000).dropFirst()) : "")
        }
        var to = fullRange
        for (index, component) in (chain ?? []).enumerated() {
            // systemd (chain_valid) lowers the limit by 3 for every element of a '~' list, not once.
            if endOfMonth { to -= 3 }
            let range = "\(shown(from))..\(shown(to))"
            let rangeNote = !endOfMonth ? "" : index == 0
                ? " (with '~', days count back from the end of the month, at most 28)"
                : " (with '~', systemd allows at most \(to) for item \(index + 1) of the sorted list)"
            let at = component.position
            if component.start < from || component.start > to {
                throw error(at: at, "\(field) \(shown(component.start)) is out of range", expected: "\(Self.article(field)) \(field) in \(range)\(rangeNote)")
            }
            if component.repeat > to - from {
                throw error(at: at, "the repetition /\(shown(component.repeat)) is longer than the \(field)s' range", expected: "a repetition within \(range)")
            }
            if component.stop >= 0 {
                if component.stop < from || component.stop > to {
                    throw error(at: at, "the range ends at \(field) \(shown(component.stop)), out of range",
                                expected: "\(Self.article(field)) \(field) in \(range)\(rangeNote)")
                }
                if component.start + component.repeat > component.stop {
                    throw error(at: at, "the range \(shown(component.start))..\(shown(component.stop)) ends before it starts",
                                expected: "START..STOP with START before STOP")
                }
            } else if endOfMonth && component.start - component.repeat < from {
                throw error(at: at, "the repetition /\(shown(component.repeat)) from ~\(shown(component.start)) runs past the end of the month",
                            expected: "a repetition no longer than \(component.start - 1) day\(component.start == 2 ? "" : "s")")
            } else if !endOfMonth && component.start + component.repeat > to {
                throw error(at: at, "the repetition /\(shown(component.repeat)) from \(shown(component.start)) never fires a second time",
                            expected: "a repetition that fits within \(range), or no repetition")
            }
        }
    }

    private static func article(_ noun: String) -> String {
        noun.hasPrefix("hour") || noun.hasPrefix("end") ? "an" : "a"
    }

    private func error(at position: Int?, _ problem: String, expected: String) -> CalendarSpecError {
        var problem = problem
        if let unknownZone, let position, position >= unknownZone.position - 1, unknownZone.word.contains(where: \.isLetter) {
            problem += " ('\(unknownZone.word)' is not a time zone in \(zones.directory) either)"
        }
        return CalendarSpecError(expression: text, byteOffset: position, problem: problem, expected: expected)
    }
}
