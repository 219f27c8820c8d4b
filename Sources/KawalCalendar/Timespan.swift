/// The one duration grammar: systemd's timespans (`parse_sec`): `90` (seconds), `1.5d`, `1h 30min`, `2w`, `5y`.
/// kawald's settings, the API's relative times (`+3d`), retention periods and the calendar's
/// `@`-timestamps are all read with it.
///
/// ```swift
/// Timespan.seconds("1h 30min")           // 5400
/// Timespan.seconds("5y", year: .days365) // 157_680_000
/// ```
public enum Timespan {
    /// How long `y` (`year`, `years`) is.
    public enum Year: Sendable {
        /// 365.25 days, as systemd counts.
        case systemd
        /// 365 days: retention periods are counted in these.
        case days365
    }

    /// `text` in seconds, or nil when it is not a timespan.
    public static func seconds(_ text: String, year: Year = .systemd) -> Double? {
        microseconds(text, year: year).map { Double($0) / 1_000_000 }
    }

    private static let systemdYear: Int64 = 31_557_600_000_000
    private static let units: [(suffix: String, microseconds: Int64)] = [
        ("seconds", 1_000_000), ("second", 1_000_000), ("sec", 1_000_000), ("s", 1_000_000),
        ("minutes", 60_000_000), ("minute", 60_000_000), ("min", 60_000_000),
        ("months", 2_629_800_000_000), ("month", 2_629_800_000_000), ("M", 2_629_800_000_000),
        ("msec", 1000), ("ms", 1000), ("m", 60_000_000),
        ("hours", 3_600_000_000), ("hour", 3_600_000_000), ("hr", 3_600_000_000), ("h", 3_600_000_000),
        ("days", 86_400_000_000), ("day", 86_400_000_000), ("d", 86_400_000_000),
        ("weeks", 604_800_000_000), ("week", 604_800_000_000), ("w", 604_800_000_000),
        ("years", systemdYear), ("year", systemdYear), ("y", systemdYear),
        ("usec", 1), ("us", 1), ("µs", 1),
    ]

    static func microseconds(_ text: String, year: Year = .systemd) -> Int64? {
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
                multiplier = unit.microseconds == Self.systemdYear && year == .days365 ? 365 * 86_400_000_000 : unit.microseconds
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
