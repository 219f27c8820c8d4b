/// The clock a calendar expression is read on: UTC (`gmtime_r`/`timegm`) or a zone
/// (`localtime_r`/`mktime`), with glibc's conversions in both directions.
enum CivilClock: Equatable, Sendable {
    /// UTC as glibc's gmtime_r gives it while `TZ` names this zone: with the zone file's leap
    /// seconds, if it has any (`right/…`).
    case utc(ZoneInfo)
    case zone(ZoneInfo)

    /// glibc's `gmtime_r` or `localtime_r`.
    func brokenDown(_ time: Int64) -> BrokenDownTime {
        switch self {
        case .utc(let zone):
            return zone.universalTime(time)
        case .zone(let zone):
            return zone.localTime(time)
        }
    }

    /// glibc's `timegm` or `mktime` (`__mktime_internal`): normalises `fields` and returns the instant,
    /// or nil where glibc fails. `guess` is glibc's remembered offset (`localtime_offset`, a static
    /// in glibc): it decides which of two candidates an ambiguous local time resolves to, so it is
    /// threaded through one computation exactly as the static is through systemd's.
    func normalize(_ fields: inout BrokenDownTime, guess: inout Int64) -> Int64? {
        // timegm ignores the daylight-saving flag.
        if case .utc = self { fields.isDST = 0 }
        var remainingProbes = 6
        let requestedSecond = fields.second
        let minute = fields.minute
        let hour = fields.hour
        let isDST = fields.isDST
        var dst2 = false

        let monthRemainder = fields.month % 12
        let negativeMonthRemainder = monthRemainder < 0 ? 1 : 0
        let year = fields.year + fields.month / 12 - negativeMonthRemainder
        let yearDay = Civil.monthYearDay[Civil.isLeap(year + 1900) ? 1 : 0][monthRemainder + 12 * negativeMonthRemainder] - 1 + fields.day
        // Leap seconds aside, every minute has 60 seconds here; the requested second is added back at the end.
        let second = min(max(requestedSecond, 0), 59)

        func difference(_ converted: BrokenDownTime) -> Int64 {
            Civil.seconds(year: year, yearDay: yearDay, hour: hour, minute: minute, second: second)
                - Civil.seconds(year: converted.year, yearDay: converted.yearDay, hour: converted.hour,
                                minute: converted.minute, second: converted.second)
        }
        func differ(_ a: Int, _ b: Int) -> Bool { (a == 0) != (b == 0) && a >= 0 && b >= 0 }

        let previousGuess = guess
        let t0 = Civil.seconds(year: year, yearDay: yearDay, hour: hour, minute: minute, second: second) + previousGuess
        var t = t0
        var t1 = t0
        var t2 = t0
        var converted: BrokenDownTime
        probing: while true {
            converted = brokenDown(t)
            let dt = difference(converted)
            if dt == 0 { break }
            if t == t1, t != t2,
               converted.isDST < 0 || (isDST < 0 ? (dst2 ? 1 : 0) <= (converted.isDST != 0 ? 1 : 0) : (isDST != 0) != (converted.isDST != 0)) {
                // Oscillating across a spring-forward gap: take the probe on the daylight side.
                return finish(&fields, t: t, t0: t0, previousGuess: previousGuess, converted: converted,
                              second: second, requestedSecond: requestedSecond, guess: &guess)
            }
            remainingProbes -= 1
            if remainingProbes == 0 { return nil }
            t1 = t2
            t2 = t
            t += dt
            dst2 = converted.isDST != 0
        }

        if differ(isDST, converted.isDST) {
            // The right wall time with the wrong flavour: extrapolate from the nearest instant whose
            // flavour is the one asked for.
            let stride = 601_200
            let bound = 536_454_000 / 2 + stride
            for delta in Swift.stride(from: stride, to: bound, by: stride) {
                for direction in [-1, 1] {
                    let other = t + Int64(delta * direction)
                    let otherFields = brokenDown(other)
                    if !differ(isDST, otherFields.isDST) {
                        let target = other + difference(otherFields)
                        return finish(&fields, t: target, t0: t0, previousGuess: previousGuess, converted: brokenDown(target),
                                      second: second, requestedSecond: requestedSecond, guess: &guess)
                    }
                }
            }
            return nil
        }
        return finish(&fields, t: t, t0: t0, previousGuess: previousGuess, converted: converted,
                      second: second, requestedSecond: requestedSecond, guess: &guess)
    }

    private func finish(_ fields: inout BrokenDownTime, t: Int64, t0: Int64, previousGuess: Int64, converted: BrokenDownTime,
                        second: Int, requestedSecond: Int, guess: inout Int64) -> Int64 {
        guess = t - t0 + previousGuess
        var t = t
        var converted = converted
        if requestedSecond != converted.second {
            t += Int64((second == 0 && converted.second == 60 ? 1 : 0) - second + requestedSecond)
            converted = brokenDown(t)
        }
        fields = converted
        return t
    }
}
