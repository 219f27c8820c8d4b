import Foundation

/// Why no next elapse could be computed (as opposed to "never": see `CalendarSpec.nextElapse`).
public enum CalendarComputationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The base time is beyond what systemd can format (after 9999-12-30).
    case baseOutOfRange
    /// The search gave up after systemd's 1,000 steps (systemd: "Infinite loop in calendar calculation").
    case didNotConverge
    /// The elapse found cannot be represented as an instant (glibc's `mktime` failed).
    case unrepresentable

    public var description: String {
        switch self {
        case .baseOutOfRange: "the base time is out of range"
        case .didNotConverge: "the calculation did not converge (systemd gives up after 1000 steps)"
        case .unrepresentable: "the next elapse is not a valid time"
        }
    }
}

extension CalendarSpec {
    public static let microsecondsPerSecond: Int64 = 1_000_000
    /// systemd's `USEC_TIMESTAMP_FORMATTABLE_MAX`: 9999-12-30 23:59:59.999999 UTC.
    static let latestBase: Int64 = 253_402_214_399_999_999
    /// systemd's `MAX_CALENDAR_ITERATIONS`.
    static let maximumSteps = 1000
    static let maximumYear = 2199

    /// The first elapse strictly after `base`, or nil when there is none (a date in the past, a
    /// date that does not exist such as `*-02-30`) or it cannot be computed.
    /// `base` is taken to the nearest microsecond, systemd's resolution.
    public func nextElapse(after base: Date) -> Date? {
        let microseconds = Int64((base.timeIntervalSince1970 * 1_000_000).rounded())
        guard let next = try? nextElapse(afterMicroseconds: microseconds) else { return nil }
        return Date(timeIntervalSince1970: Double(next) / 1_000_000)
    }

    /// The first elapse strictly after `base` (microseconds since the epoch), with systemd's
    /// semantics (`calendar_spec_next_usec`): nil when it never elapses again.
    ///
    /// Wall-clock times that do not exist (a spring-forward gap) are skipped; times that exist twice
    /// (fall back) elapse once, at the first of the two — both as glibc's `mktime` resolves them.
    public func nextElapse(afterMicroseconds base: Int64) throws(CalendarComputationError) -> Int64? {
        guard base >= 0, base <= Self.latestBase else { throw .baseOutOfRange }
        let start = base + 1
        var guess: Int64 = 0
        var fields = clock.brokenDown(Civil.floorDivide(start, Self.microsecondsPerSecond))
        var microsecond = Int(Civil.floorModulo(start, Self.microsecondsPerSecond))
        guard try findNext(&fields, microsecond: &microsecond, guess: &guess) else { return nil }
        guard let seconds = clock.normalize(&fields, guess: &guess), seconds >= 0 else { throw .unrepresentable }
        return seconds * Self.microsecondsPerSecond + Int64(microsecond)
    }

    /// systemd's `find_next`: raise the fields from the year down to the second until each matches,
    /// letting `mktime` normalise after every step. False when the expression never elapses.
    private func findNext(_ fields: inout BrokenDownTime, microsecond: inout Int, guess: inout Int64) throws(CalendarComputationError) -> Bool {
        var c = fields
        var usec = microsecond
        let perSecond = Int(Self.microsecondsPerSecond)
        // Set once a match turned out not to be later than the start (the wall clock was turned back):
        // from then on the zone, not the expression, says whether daylight saving time applies.
        var daylightFromZone = false

        func resetBelowYear() { (c.month, c.day, c.hour, c.minute, c.second, usec) = (0, 1, 0, 0, 0, 0) }
        func resetBelowMonth() { (c.day, c.hour, c.minute, c.second, usec) = (1, 0, 0, 0, 0) }
        func resetBelowDay() { (c.hour, c.minute, c.second, usec) = (0, 0, 0, 0) }
        func resetBelowHour() { (c.minute, c.second, usec) = (0, 0, 0) }

        for _ in 0..<Self.maximumSteps {
            _ = clock.normalize(&c, guess: &guess)
            if !daylightFromZone { c.isDST = dst }

            var value = c.year + 1900
            var r = firstMatch(year, value: &value, fields: c, guess: &guess)
            c.year = value - 1900
            if r > 0 { resetBelowYear() }
            if r < 0 { return false }
            if withinBounds(&c, guess: &guess) <= 0 { return false }

            value = c.month + 1
            r = firstMatch(month, value: &value, fields: c, guess: &guess)
            c.month = value - 1
            if r > 0 { resetBelowMonth() }
            if r >= 0 { r = withinBounds(&c, guess: &guess) }
            if r < 0 {
                c.year += 1
                resetBelowYear()
                continue
            }
            if r == 0 { continue }

            value = c.day
            r = firstMatch(day, countingFromMonthEnd: endOfMonth, value: &value, fields: c, guess: &guess)
            c.day = value
            if r > 0 { resetBelowDay() }
            if r >= 0 { r = withinBounds(&c, guess: &guess) }
            if r < 0 {
                c.month += 1
                resetBelowMonth()
                continue
            }
            if r == 0 { continue }

            if !matchesWeekday(c, guess: &guess) {
                c.day += 1
                resetBelowDay()
                continue
            }

            value = c.hour
            r = firstMatch(hour, value: &value, fields: c, guess: &guess)
            c.hour = value
            if r > 0 { resetBelowHour() }
            if r >= 0 { r = withinBounds(&c, guess: &guess) }
            if r < 0 {
                c.day += 1
                resetBelowDay()
                continue
            }
            // The hour just set may not exist (a DST gap): start again from the normalised time.
            if r == 0 { continue }

            value = c.minute
            r = firstMatch(minute, value: &value, fields: c, guess: &guess)
            c.minute = value
            if r > 0 { (c.second, usec) = (0, 0) }
            if r >= 0 { r = withinBounds(&c, guess: &guess) }
            if r < 0 {
                c.hour += 1
                resetBelowHour()
                continue
            }
            if r == 0 { continue }

            value = c.second * perSecond + usec
            r = firstMatch(self.microsecond, value: &value, fields: c, guess: &guess)
            usec = value % perSecond
            c.second = value / perSecond
            if r >= 0 { r = withinBounds(&c, guess: &guess) }
            if r < 0 {
                c.minute += 1
                (c.second, usec) = (0, 0)
                continue
            }
            if r == 0 { continue }

            if !Self.isLater(c, usec, than: fields, microsecond) {
                // Stuck in a repeated hour (DST ending): try the next hour, with the zone's own DST flag.
                daylightFromZone = true
                c.hour += 1
                continue
            }
            fields = c
            microsecond = usec
            return true
        }
        throw .didNotConverge
    }

    /// systemd's `tm_compare`, then the microseconds.
    private static func isLater(_ a: BrokenDownTime, _ aMicrosecond: Int, than b: BrokenDownTime, _ bMicrosecond: Int) -> Bool {
        let left = [a.year, a.month, a.day, a.hour, a.minute, a.second, aMicrosecond]
        let right = [b.year, b.month, b.day, b.hour, b.minute, b.second, bMicrosecond - 1]
        return left.lexicographicallyPrecedes(right) == false && left != right
    }

    /// systemd's `find_matching_component`: the earliest value at or after `value` that the list
    /// allows. Returns -1 when there is none, 1 when `value` moved, 0 when it already matched.
    private func firstMatch(_ chain: [Component]?, countingFromMonthEnd: Bool = false, value: inout Int,
                            fields: BrokenDownTime, guess: inout Int64) -> Int {
        guard let chain else { return 0 }
        var best: Int?
        for component in chain {
            var start = component.start
            var stop = component.stop
            if countingFromMonthEnd {
                start = dayCountedFromMonthEnd(component.start, in: fields, guess: &guess)
                stop = dayCountedFromMonthEnd(component.stop, in: fields, guess: &guess)
                if stop > 0 { swap(&start, &stop) }
            }
            if start >= value {
                if best == nil || start < best! { best = start }
            } else if component.repeat > 0 {
                let next = start + component.repeat * ((value - start + component.repeat - 1) / component.repeat)
                if best == nil || next < best!, stop < 0 || next <= stop { best = next }
            }
        }
        guard let best else { return -1 }
        defer { value = best }
        return value != best ? 1 : 0
    }

    /// systemd's `find_end_of_month`: the day of the month that is `day`th from its end (1 = last), or -1.
    private func dayCountedFromMonthEnd(_ day: Int, in fields: BrokenDownTime, guess: inout Int64) -> Int {
        var t = fields
        t.month += 1
        t.day = 1 - day
        guard let seconds = clock.normalize(&t, guess: &guess), seconds >= 0, t.month == fields.month else { return -1 }
        return t.day
    }

    /// systemd's `tm_within_bounds`: -1 when past 2199, unrepresentable or moved backwards by
    /// normalisation; 0 when normalisation moved the fields forward (they now hold the normalised
    /// time, the unit below the one that overflowed reset); 1 when the fields were already normal.
    private func withinBounds(_ fields: inout BrokenDownTime, guess: inout Int64) -> Int {
        if fields.year + 1900 > Self.maximumYear { return -1 }
        var t = fields
        guard let seconds = clock.normalize(&t, guess: &guess), seconds >= 0 else { return -1 }
        let order: Int
        if t.year != fields.year {
            order = t.year < fields.year ? -1 : 1
            t.month = 0
        } else if t.month != fields.month {
            order = t.month < fields.month ? -1 : 1
            t.day = 1
        } else if t.day != fields.day {
            order = t.day < fields.day ? -1 : 1
            t.hour = 0
        } else if t.hour != fields.hour {
            order = t.hour < fields.hour ? -1 : 1
            t.minute = 0
        } else if t.minute != fields.minute {
            order = t.minute < fields.minute ? -1 : 1
            t.second = 0
        } else {
            order = t.second == fields.second ? 0 : (t.second < fields.second ? -1 : 1)
        }
        if order < 0 { return -1 }
        if order > 0 { fields = t }
        return order == 0 ? 1 : 0
    }

    private func matchesWeekday(_ fields: BrokenDownTime, guess: inout Int64) -> Bool {
        guard let weekdays else { return true }
        var t = fields
        guard let seconds = clock.normalize(&t, guess: &guess), seconds >= 0 else { return false }
        let mondayFirst = t.weekday == 0 ? 6 : t.weekday - 1
        return weekdays & (1 << mondayFirst) != 0
    }
}
