/// A calendar event expression in systemd's `OnCalendar=` syntax (`systemd.time(7)`): parsed and
/// normalised like `systemd-analyze calendar` does, and able to compute when it next elapses.
///
/// ```swift
/// let spec = try CalendarSpec(parsing: "Mon..Fri 08:00 Asia/Makassar")
/// spec.normalized            // "Mon..Fri *-*-* 08:00:00 Asia/Makassar"
/// spec.nextElapse(after: now) // the next weekday 08:00 WITA
/// ```
///
/// A spec is a plain value: parsing reads tzdata for a zone named in the expression (and is given
/// the local zone, which an expression without a zone is read in), and computing is a pure
/// function of the base time.
public struct CalendarSpec: Equatable, Sendable {
    /// One element of a comma-separated list: `start`, `start..stop`, `start/repeat` or
    /// `start..stop/repeat`. Seconds are held in microseconds.
    struct Component: Comparable, Sendable {
        var start: Int
        /// -1 when there is no upper bound.
        var stop = -1
        /// 0 when the value does not repeat.
        var `repeat` = 0
        /// Where it was written (UTF-8 offset), for error messages; not part of its value.
        var position = 0

        static func == (a: Component, b: Component) -> Bool {
            (a.start, a.stop, a.repeat) == (b.start, b.stop, b.repeat)
        }

        static func < (a: Component, b: Component) -> Bool {
            (a.start, a.stop, a.repeat) < (b.start, b.stop, b.repeat)
        }
    }

    /// Bit 0 is Monday, bit 6 Sunday; nil matches every day.
    var weekdays: Int?
    /// Nil matches every value (`*`).
    var year: [Component]?
    var month: [Component]?
    var day: [Component]?
    var hour: [Component]?
    var minute: [Component]?
    var microsecond: [Component]?
    /// `~`: days count back from the end of the month.
    var endOfMonth = false
    var utc = false
    /// Daylight saving time forced off (0) or on (1) by the local zone's abbreviation, -1 otherwise.
    var dst = -1
    /// The zone named in the expression (`Asia/Makassar`).
    var timezone: String?

    /// The clock the fields are read on.
    var clock: CivilClock
    /// The local abbreviation (`CET`) that set `dst`, printed back in the normalised form.
    var dstAbbreviation: String?

    /// The expression exactly as given.
    public let original: String

    /// Parses an expression. An expression without a zone is read in `localZone` (systemd reads it in
    /// the system's zone; Kawal gives the deployment's), and may end with one of that zone's
    /// abbreviations (`WITA`, `CET`/`CEST`) to choose standard or daylight time.
    public init(parsing text: String, localZone: ZoneInfo = .utc, zones: ZoneDatabase = .system) throws(CalendarSpecError) {
        var parser = CalendarSpecParser(text: text, localZone: localZone, zones: zones)
        self = try parser.parse()
    }

    init(original: String, clock: CivilClock) {
        self.original = original
        self.clock = clock
    }
}
