import ArgumentParser
import KawalCalendar
import Varlink
#if canImport(Glibc)
import Glibc
#endif

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Normalise calendar expressions (systemd's OnCalendar= syntax) and show when they elapse; works offline.",
        discussion: """
            Prints what 'systemd-analyze calendar' prints, line for line (without its 'From now:' lines, \
            which depend on the clock), so the two can be compared: the original form when it differs, \
            the normalised form, and the next elapses, in the zone of TZ (UTC when TZ is unset and \
            /etc/localtime is UTC), each followed by '(in UTC):' when that zone is not UTC.

            An expression is [WEEKDAYS] [YEAR-MONTH-DAY] [HOUR:MINUTE[:SECOND]] [ZONE], e.g. \
            'Mon..Fri 08:00 Asia/Makassar', '*-*~01' (the last day of every month), '*:0/15', or a shorthand: \
            minutely, hourly, daily, weekly, monthly, quarterly, semiannually, yearly. See systemd.time(7).

            kawald is not contacted. Exit status: 0 when every expression is valid and its elapses could be \
            computed, 1 otherwise, 2 when the command line is wrong.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("Calendar expressions, e.g. 'Mon..Fri 08:00 Asia/Makassar'.", valueName: "expression"))
    var expressions: [String]

    @Option(name: .long, help: ArgumentHelp("How many elapses to show for each expression.", valueName: "N"))
    var iterations = 1

    @Option(name: .long, help: ArgumentHelp(
        "Compute elapses after this time instead of now: 'YYYY-MM-DD HH:MM:SS [UTC|ZONE]', '@EPOCH', …",
        valueName: "time"))
    var baseTime: String?

    func validate() throws {
        if expressions.isEmpty {
            throw ValidationError("give at least one expression, e.g. kawalctl calendar 'Mon..Fri 08:00 Asia/Makassar'")
        }
        if iterations < 0 {
            throw ValidationError("--iterations must be 0 or more, not \(iterations)")
        }
    }

    func run() throws {
        let localZone = ZoneDatabase.system.zone(forTZ: getenv("TZ").map { String(cString: $0) })
        let base: Int64
        if let baseTime {
            do {
                base = try Timestamp.parse(baseTime, now: Self.now(), localZone: localZone)
            } catch {
                throw ValidationError("--base-time: \(error)")
            }
        } else {
            base = Self.now()
        }

        let reports = expressions.map { CalendarReport(expression: $0, base: base, iterations: iterations, localZone: localZone) }
        if options.json {
            print(JSONValue.array(reports.map(\.json)).prettyPrinted())
        } else {
            print(reports.map(\.text).joined(separator: "\n"), terminator: "")
        }
        for report in reports {
            if let error = report.error { writeStandardError("kawalctl: " + error) }
        }
        let failures = reports.filter { $0.error != nil }.count
        if failures > 0 {
            throw CommandFailure(code: .daemonError,
                                 message: "\(failures) of \(reports.count) expression\(reports.count == 1 ? "" : "s") failed")
        }
    }

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1000
    }
}

/// One expression: parsed, and its elapses after the base time.
struct CalendarReport {
    let expression: String
    let spec: CalendarSpec?
    /// Microseconds since the epoch.
    let elapses: [Int64]
    /// The expression does not elapse after the base time (and elapses were asked for).
    let never: Bool
    let error: String?
    let localZone: ZoneInfo

    init(expression: String, base: Int64, iterations: Int, localZone: ZoneInfo) {
        self.expression = expression
        self.localZone = localZone
        var elapses: [Int64] = []
        var never = false
        do {
            let spec = try CalendarSpec(parsing: expression, localZone: localZone)
            self.spec = spec
            var after = base
            do {
                for iteration in 0..<iterations {
                    guard let next = try spec.nextElapse(afterMicroseconds: after) else {
                        never = iteration == 0
                        break
                    }
                    elapses.append(next)
                    after = next
                }
                error = nil
            } catch {
                self.error = "cannot compute the next elapse of '\(expression)': \(error)"
            }
        } catch {
            spec = nil
            self.error = "invalid calendar expression \(error)"
        }
        self.elapses = elapses
        self.never = never
    }

    /// systemd-analyze's table: labels right-aligned to the widest one, then the value. Empty when
    /// the expression is invalid or its elapses could not be computed, as systemd prints nothing then.
    var text: String {
        guard let spec, error == nil else { return "" }
        var rows: [(String, String)] = []
        if spec.normalized != expression { rows.append(("Original form:", expression)) }
        rows.append(("Normalized form:", spec.normalized))
        if never { rows.append(("Next elapse:", "never")) }
        for (index, elapse) in elapses.enumerated() {
            rows.append((index == 0 ? "Next elapse:" : "Iter. #\(index + 1):", Timestamp.format(microseconds: elapse, in: localZone)))
            if !localZone.isUTC {
                rows.append(("(in UTC):", Timestamp.formatUTC(microseconds: elapse, localZone: localZone)))
            }
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { label, value in
            var line = String(repeating: " ", count: width - label.count) + label + " " + value
            while let last = line.last, last == " " || last == "\t" || last == "\n" || last == "\r" { line.removeLast() }
            return line + "\n"
        }.joined()
    }

    var json: JSONValue {
        .object([
            "expression": .string(expression),
            "valid": .bool(spec != nil),
            "normalized": spec.map { .string($0.normalized) } ?? .null,
            "never": .bool(never),
            "next_elapse": .array(elapses.map { elapse in
                .object([
                    "usec": .int(elapse),
                    "timestamp": .string(Timestamp.format(microseconds: elapse, in: localZone)),
                    "utc": .string(Timestamp.formatUTC(microseconds: elapse, localZone: localZone)),
                ])
            }),
            "error": error.map(JSONValue.string) ?? .null,
        ])
    }
}
