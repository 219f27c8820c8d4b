/// A calendar date and time of day in some zone: C's `struct tm`, with the same field conventions
/// (years since 1900, months from 0, Sunday = weekday 0), because the next-elapse algorithm is
/// defined in terms of them — fields may be out of range until `ZoneInfo.normalize` brings them back.
struct BrokenDownTime: Equatable, Sendable {
    /// Years since 1900.
    var year: Int
    /// 0 (January) to 11.
    var month: Int
    /// 1 to 31.
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    /// 0 (Sunday) to 6; set by conversions, ignored by `normalize`.
    var weekday = 0
    /// 0 to 365; set by conversions, ignored by `normalize`.
    var yearDay = 0
    /// -1: unknown (let the zone decide), 0: standard time, 1: daylight saving time.
    var isDST = 0
    /// Seconds east of UTC.
    var utcOffset = 0
    var zoneAbbreviation = "UTC"

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// UTC broken down (glibc's `__offtime` with offset 0, plus the zone fields).
    init(utc seconds: Int64, offset: Int = 0) {
        let local = seconds + Int64(offset)
        let days = Civil.floorDivide(local, 86_400)
        let secondOfDay = Int(local - days * 86_400)
        let date = Civil.date(fromDays: days)
        self.init(year: date.year - 1900, month: date.month - 1, day: date.day,
                  hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
        weekday = Int(Civil.floorModulo(days + 4, 7))
        yearDay = Civil.monthYearDay[Civil.isLeap(date.year) ? 1 : 0][date.month - 1] + date.day - 1
        utcOffset = offset
    }
}

/// Proleptic Gregorian arithmetic, exact for any year.
enum Civil {
    /// Days before each month (0–12), normal and leap years: glibc's `__mon_yday`.
    static let monthYearDay: [[Int]] = [
        [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
        [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
    ]

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    static func floorModulo(_ a: Int64, _ b: Int64) -> Int64 {
        a - floorDivide(a, b) * b
    }

    /// Days since 1970-01-01 of a date (month 1–12, day 1–31; both may run over).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        // Howard Hinnant's days_from_civil.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a count of days since 1970-01-01.
    static func date(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// Seconds since the epoch of a year (since 1900) and day of the year (from 0, may run over) and a time,
    /// read as UTC: glibc's `ydhms_diff` against the epoch.
    static func seconds(year: Int, yearDay: Int, hour: Int, minute: Int, second: Int) -> Int64 {
        let days = Self.days(year: year + 1900, month: 1, day: 1) + Int64(yearDay)
        return ((days * 24 + Int64(hour)) * 60 + Int64(minute)) * 60 + Int64(second)
    }
}
