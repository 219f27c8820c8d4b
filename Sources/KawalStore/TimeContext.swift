import Foundation
import KawalCalendar
#if canImport(Glibc)
import Glibc
#endif

/// The deployment's time zone and clock: how dates typed by people are read and how times are shown.
///
/// ```swift
/// let time = TimeContext(zone: TimeZone(identifier: "Asia/Makassar")!)
/// try time.moment("+3d", field: "due")        // three days from now
/// time.display(date)                            // "2025-02-07T09:00:00+08:00"
/// ```
public struct TimeContext: Sendable {
    public var zone: TimeZone
    public var now: @Sendable () -> Date

    public init(zone: TimeZone, now: @escaping @Sendable () -> Date = { Date() }) {
        self.zone = zone
        self.now = now
    }

    public var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    static let momentHelp = "expected YYYY-MM-DD, YYYY-MM-DDTHH:MM, today, tomorrow or +N followed by m, h, d or w (e.g. +3d)"

    /// A point in time typed by a person: `2025-02-07` (the end of that day), `2025-02-07T09:00`,
    /// `today` (the end of today), `tomorrow`, `+3d`, `+12h`.
    public func moment(_ text: String, field: String) throws(StoreError) -> Date {
        let trimmed = text.trimmingSpaces.lowercased()
        let calendar = self.calendar
        switch trimmed {
        case "today", "hari ini":
            return endOfDay(now(), calendar)
        case "tomorrow", "besok":
            return endOfDay(now().addingTimeInterval(86_400), calendar)
        default:
            break
        }
        if trimmed.hasPrefix("+") {
            guard let seconds = Self.duration(String(trimmed.dropFirst())) else {
                throw .invalid(field: field, message: "'\(text)' is not a time: \(Self.momentHelp)")
            }
            return now().addingTimeInterval(seconds)
        }
        // Empty text, or only a "t", splits into nothing.
        let parts = trimmed.split(separator: "t", maxSplits: 1).map(String.init)
        guard let first = parts.first, let day = Self.calendarDate(first) else {
            throw .invalid(field: field, message: "'\(text)' is not a time: \(Self.momentHelp)")
        }
        var components = DateComponents(year: day.year, month: day.month, day: day.day)
        if parts.count == 2 {
            let clock = parts[1].split(separator: ":").compactMap { Int($0) }
            guard (2...3).contains(clock.count), (0..<24).contains(clock[0]), (0..<60).contains(clock[1]),
                  clock.count == 2 || (0..<60).contains(clock[2]) else {
                throw .invalid(field: field, message: "'\(text)' has no valid time of day: \(Self.momentHelp)")
            }
            components.hour = clock[0]
            components.minute = clock[1]
            components.second = clock.count == 3 ? clock[2] : 0
        } else {
            components.hour = 23
            components.minute = 59
            components.second = 59
        }
        guard let date = calendar.date(from: components) else {
            throw .invalid(field: field, message: "'\(text)' is not a time: \(Self.momentHelp)")
        }
        return date
    }

    func endOfDay(_ date: Date, _ calendar: Calendar) -> Date {
        let start = calendar.startOfDay(for: date)
        return calendar.date(byAdding: .second, value: 86_399, to: start) ?? date
    }

    /// `45s`, `30m`, `12h`, `3d`, `2w`, `1h 30min` in seconds: a `Timespan` of at most `maximumDuration`.
    public static func duration(_ text: String) -> TimeInterval? {
        // "+100000y" would make a date no calendar or database column can hold.
        guard let seconds = Timespan.seconds(text), seconds <= maximumDuration else { return nil }
        return seconds
    }

    /// A hundred years: more than any follow-up, deadline or setting needs.
    static let maximumDuration: TimeInterval = 100 * 366 * 86_400

    /// A calendar day as people write it (a birth date, the day a case was reported): `2024-02-29`
    /// or `29/02/2024`; returns `YYYY-MM-DD`. The value is quoted with double quotes, as a spreadsheet
    /// cell is: names and notes often hold an apostrophe.
    public static func calendarDay(_ text: String, field: String) throws(StoreError) -> String {
        let trimmed = text.trimmingSpaces
        guard let day = calendarDate(trimmed) else {
            throw .invalid(field: field, message: "\"\(text)\" is not a date (expected YYYY-MM-DD or DD/MM/YYYY)")
        }
        return zeroPadded(day.year, 4) + "-" + zeroPadded(day.month, 2) + "-" + zeroPadded(day.day, 2)
    }

    /// `YYYY-MM-DD` of the moment in the deployment's zone.
    public func calendarDay(of date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return Self.zeroPadded(parts.year ?? 0, 4) + "-" + Self.zeroPadded(parts.month ?? 0, 2) + "-" + Self.zeroPadded(parts.day ?? 0, 2)
    }

    /// The first moment of a `YYYY-MM-DD` day (from `calendarDay`) in the deployment's zone.
    func startOfDay(_ day: String, calendar: Calendar) -> Date? {
        guard let parts = Self.calendarDate(day) else { return nil }
        return calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: parts.day))
    }

    /// String(format:) is slow enough to show in an import of 100,000 rows.
    static func zeroPadded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// YYYY-MM-DD or DD/MM/YYYY, checked against the calendar (no 31 February). Read from the
    /// UTF-8 bytes: an import checks two dates a row, and Foundation's `contains` and `split`
    /// showed in its profile.
    static func calendarDate(_ text: String) -> (year: Int, month: Int, day: Int)? {
        var numbers: [Int] = []
        var digits = 0
        var value = 0
        var separator: UInt8?
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard digits < 9 else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: "-"), UInt8(ascii: "/"):
                guard separator == nil || separator == byte, digits > 0, numbers.count < 2 else { return nil }
                separator = byte
                numbers.append(value)
                value = 0
                digits = 0
            default:
                return nil
            }
        }
        guard digits > 0, numbers.count == 2 else { return nil }
        let year: Int, month: Int, day: Int
        if separator == UInt8(ascii: "/") {
            (year, month, day) = (value, numbers[1], numbers[0])
        } else {
            // The year is written with four digits: 25-02-07 is not 2025.
            guard text.utf8.prefix(while: { $0 != UInt8(ascii: "-") }).count == 4 else { return nil }
            (year, month, day) = (numbers[0], numbers[1], value)
        }
        guard (1900...2200).contains(year), (1...12).contains(month), day >= 1 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= lengths[month - 1] else { return nil }
        return (year, month, day)
    }

    /// A time as shown to people and scripts: ISO 8601 in the deployment's zone, with its offset.
    /// Written by hand: a formatter per call costs more than the rest of a job's handling.
    public func display(_ date: Date) -> String {
        let offset = zone.secondsFromGMT(for: date)
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down)) + time_t(offset)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        let sign = offset < 0 ? "-" : "+"
        let magnitude = Int32(abs(offset) / 60)
        let zonePart = offset == 0 ? "Z" : "\(sign)\(pad(magnitude / 60, 2)):\(pad(magnitude % 60, 2))"
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))\(zonePart)"
    }
}
