/// A POSIX `TZ` rule string such as `CET-1CEST,M3.5.0,M10.5.0/3` or `<+08>-8`, read the way glibc
/// reads it (`__tzset_parse_tz`): the footer of a TZif file, which governs times after its last
/// transition, or a `TZ` value that names no file.
struct PosixTimeZone: Equatable, Sendable {
    struct Change: Equatable, Sendable {
        enum Kind: Equatable, Sendable {
            /// `n`: day of the year from 0, February 29 counted.
            case dayOfYear
            /// `Jn`: day of the year from 1, February 29 never counted.
            case julianDay
            /// `Mm.n.d`: day `d` (0 = Sunday) of week `n` (5 = last) of month `m`.
            case monthWeekDay
        }

        var kind = Kind.dayOfYear
        var month = 0
        var week = 0
        var day = 0
        /// Local time of day of the change, in seconds.
        var seconds = 0
    }

    struct Flavour: Equatable, Sendable {
        var name = ""
        /// Seconds east of UTC.
        var offset = 0
        /// When this flavour starts: the standard flavour holds the change to daylight time and the
        /// daylight flavour the change back, as glibc's `tz_rules` do.
        var change = Change()
    }

    var standard = Flavour()
    var daylight = Flavour()

    /// Parses like glibc: whatever part parses is kept, the rest stays at UTC defaults.
    init(parsing text: String) {
        var scanner = Scanner(Array(text.utf8))
        guard scanner.name(into: &standard.name), scanner.offset(into: &standard.offset, isStandard: true, standardOffset: 0) else {
            daylight.name = ""
            return
        }
        guard !scanner.atEnd else {
            daylight.name = standard.name
            daylight.offset = standard.offset
            return
        }
        if scanner.name(into: &daylight.name) {
            _ = scanner.offset(into: &daylight.offset, isStandard: false, standardOffset: standard.offset)
        }
        if scanner.change(into: &standard.change, isStart: true) {
            _ = scanner.change(into: &daylight.change, isStart: false)
        }
    }

    /// Local time type at an instant (glibc's `__tz_compute`).
    func localTimeType(at seconds: Int64) -> (offset: Int, isDST: Bool, abbreviation: String) {
        let year = BrokenDownTime(utc: seconds).year + 1900
        let start = Self.instant(of: standard.change, offset: standard.offset, year: year)
        let end = Self.instant(of: daylight.change, offset: daylight.offset, year: year)
        // Southern hemisphere: daylight time spans the new year.
        let isDST = start > end ? (seconds < end || seconds >= start) : (seconds >= start && seconds < end)
        let flavour = isDST ? daylight : standard
        return (flavour.offset, isDST, flavour.name)
    }

    /// glibc's `compute_change`, including its treatment of years up to 1970 as 1970-01-01.
    private static func instant(of change: Change, offset: Int, year: Int) -> Int64 {
        var t: Int64 = year > 1970 ? Civil.days(year: year, month: 1, day: 1) * 86_400 : 0
        switch change.kind {
        case .julianDay:
            t += Int64(change.day - 1) * 86_400
            if change.day >= 60 && Civil.isLeap(year) { t += 86_400 }
        case .dayOfYear:
            t += Int64(change.day) * 86_400
        case .monthWeekDay:
            let table = Civil.monthYearDay[Civil.isLeap(year) ? 1 : 0]
            t += Int64(table[change.month - 1]) * 86_400
            // Zeller's congruence: the weekday of the first of the month.
            let m1 = (change.month + 9) % 12 + 1
            let yy0 = change.month <= 2 ? year - 1 : year
            let yy1 = yy0 / 100
            let yy2 = yy0 % 100
            var weekday = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7
            if weekday < 0 { weekday += 7 }
            var day = change.day - weekday
            if day < 0 { day += 7 }
            var week = 1
            while week < change.week {
                if day + 7 >= table[change.month] - table[change.month - 1] { break }
                day += 7
                week += 1
            }
            t += Int64(day) * 86_400
        }
        return t - Int64(offset) + Int64(change.seconds)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index >= bytes.count }
        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
        static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// Three or more letters, or `<…>` holding three or more letters, digits, `+` and `-`.
        mutating func name(into name: inout String) -> Bool {
            var end = index
            while end < bytes.count, Self.isLetter(bytes[end]) { end += 1 }
            if end - index >= 3 {
                name = String(decoding: bytes[index..<end], as: UTF8.self)
                index = end
                return true
            }
            guard current == UInt8(ascii: "<") else { return false }
            let start = index + 1
            end = start
            while end < bytes.count, Self.isLetter(bytes[end]) || Self.isDigit(bytes[end]) || bytes[end] == UInt8(ascii: "+") || bytes[end] == UInt8(ascii: "-") {
                end += 1
            }
            guard end < bytes.count, bytes[end] == UInt8(ascii: ">"), end - start >= 3 else { return false }
            name = String(decoding: bytes[start..<end], as: UTF8.self)
            index = end + 1
            return true
        }

        /// Up to three colon-separated numbers, as `sscanf("%hu%n:%hu%n:%hu%n")` reads them.
        mutating func clock() -> (values: [Int], consumed: Bool) {
            var values: [Int] = []
            var position = index
            var consumedUpTo = index
            while values.count < 3 {
                if !values.isEmpty {
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { break }
                    position += 1
                }
                var end = position
                var value = 0
                while end < bytes.count, Self.isDigit(bytes[end]) {
                    value = min(value * 10 + Int(bytes[end] - UInt8(ascii: "0")), 65_535)
                    end += 1
                }
                guard end > position else { break }
                values.append(value)
                position = end
                consumedUpTo = end
            }
            index = consumedUpTo
            return (values, !values.isEmpty)
        }

        mutating func offset(into offset: inout Int, isStandard: Bool, standardOffset: Int) -> Bool {
            if isStandard {
                guard let byte = current, byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || Self.isDigit(byte) else { return false }
            }
            var sign = -1
            if let byte = current, byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
                sign = byte == UInt8(ascii: "-") ? 1 : -1
                index += 1
            }
            let (values, parsed) = clock()
            guard parsed else {
                if isStandard {
                    offset = 0
                    return false
                }
                offset = standardOffset + 3600
                return true
            }
            let hours = min(values[0], 24)
            let minutes = values.count > 1 ? min(values[1], 59) : 0
            let seconds = values.count > 2 ? min(values[2], 59) : 0
            offset = sign * (hours * 3600 + minutes * 60 + seconds)
            return true
        }

        mutating func change(into change: inout Change, isStart: Bool) -> Bool {
            if current == UInt8(ascii: ",") { index += 1 }
            if let byte = current, byte == UInt8(ascii: "J") || Self.isDigit(byte) {
                change.kind = byte == UInt8(ascii: "J") ? .julianDay : .dayOfYear
                if byte == UInt8(ascii: "J") {
                    index += 1
                    guard let next = current, Self.isDigit(next) else { return false }
                }
                var value = 0
                let start = index
                while let digit = current, Self.isDigit(digit) {
                    value = min(value * 10 + Int(digit - UInt8(ascii: "0")), 100_000)
                    index += 1
                }
                guard index > start, value <= 365, !(change.kind == .julianDay && value == 0) else { return false }
                change.day = value
            } else if current == UInt8(ascii: "M") {
                index += 1
                change.kind = .monthWeekDay
                var fields: [Int] = []
                while fields.count < 3 {
                    if !fields.isEmpty {
                        guard current == UInt8(ascii: ".") else { return false }
                        index += 1
                    }
                    var value = 0
                    let start = index
                    while let digit = current, Self.isDigit(digit) {
                        value = min(value * 10 + Int(digit - UInt8(ascii: "0")), 65_535)
                        index += 1
                    }
                    guard index > start else { return false }
                    fields.append(value)
                }
                guard (1...12).contains(fields[0]), (1...5).contains(fields[1]), fields[2] <= 6 else { return false }
                (change.month, change.week, change.day) = (fields[0], fields[1], fields[2])
            } else if atEnd {
                // No rule at all: the United States' rules, as glibc assumes.
                change.kind = .monthWeekDay
                (change.month, change.week, change.day) = isStart ? (3, 2, 0) : (11, 1, 0)
            } else {
                return false
            }
            if let byte = current, byte != UInt8(ascii: "/"), byte != UInt8(ascii: ",") { return false }
            if current == UInt8(ascii: "/") {
                index += 1
                guard !atEnd else { return false }
                let negative = current == UInt8(ascii: "-")
                if negative { index += 1 }
                let (values, parsed) = clock()
                let hours = parsed ? values[0] : 2
                let minutes = values.count > 1 ? values[1] : 0
                let seconds = values.count > 2 ? values[2] : 0
                change.seconds = (negative ? -1 : 1) * (hours * 3600 + minutes * 60 + seconds)
            } else {
                change.seconds = 2 * 3600
            }
            return true
        }
    }
}
