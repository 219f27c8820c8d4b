#if canImport(Glibc)
import Glibc
#endif
import Varlink

/// Load generator for `make bench`: sequential varlink round trips on one connection.
///
/// Usage:
///   kawal-bench ping SOCKET [CALLS]
///     prints `calls=N seconds=S rate=R` (round trips per second)
///   kawal-bench latency SOCKET METHOD PARAMETERS [CALLS]
///     prints `calls=N p50_ms=A p99_ms=B max_ms=C` (PARAMETERS is a JSON object)
///   kawal-bench edits SOCKET CASES [CALLS]
///     io.kawal.Cases.Update of a case's notes, each call a different case among the first CASES
///     (all at version 1, as an import leaves them); prints the same line as `latency`
@main
struct KawalBench {
    static func main() throws {
        let arguments = CommandLine.arguments
        if arguments.count >= 3, arguments[1] == "ping" {
            let calls = arguments.count > 3 ? Int(arguments[3]) ?? 100_000 : 100_000
            let connection = try VarlinkConnection(unixSocketPath: arguments[2])
            for _ in 0..<1000 { try connection.call("io.kawal.Daemon.Ping") }
            let start = now()
            for _ in 0..<calls { try connection.call("io.kawal.Daemon.Ping") }
            let seconds = now() - start
            print("calls=\(calls) seconds=\(seconds) rate=\(Double(calls) / seconds)")
        } else if arguments.count >= 5, arguments[1] == "latency", case .object(let parameters) = try JSONValue(parsing: arguments[4]) {
            let calls = arguments.count > 5 ? Int(arguments[5]) ?? 300 : 300
            let connection = try VarlinkConnection(unixSocketPath: arguments[2])
            for _ in 0..<10 { try connection.call(arguments[3], parameters) }
            report(try (0..<calls).map { _ in try timed { try connection.call(arguments[3], parameters) } })
        } else if arguments.count >= 4, arguments[1] == "edits", let cases = Int(arguments[3]), cases > 0 {
            let calls = min(arguments.count > 4 ? Int(arguments[4]) ?? 300 : 300, cases)
            let connection = try VarlinkConnection(unixSocketPath: arguments[2])
            // Cases spread over the whole table, each edited once.
            let stride = max(cases / calls, 1)
            report(try (0..<calls).map { n in
                try timed {
                    try connection.call("io.kawal.Cases.Update", [
                        "id": .int(Int64(1 + n * stride)), "version": 1, "changes": ["notes": .string("kunjungan rumah ke-\(n), berkas lengkap")],
                    ])
                }
            })
        } else {
            print("usage: kawal-bench ping SOCKET [CALLS] | kawal-bench latency SOCKET METHOD PARAMETERS [CALLS] | kawal-bench edits SOCKET CASES [CALLS]")
            exit(2)
        }
    }

    static func timed(_ call: () throws -> Void) rethrows -> Double {
        let start = now()
        try call()
        return (now() - start) * 1000
    }

    static func report(_ samples: [Double]) {
        let milliseconds = samples.sorted()
        let percentile = { (p: Double) in milliseconds[min(milliseconds.count - 1, Int((p * Double(milliseconds.count)).rounded(.up)) - 1)] }
        print("calls=\(milliseconds.count) p50_ms=\(percentile(0.5)) p99_ms=\(percentile(0.99)) max_ms=\(milliseconds.last!)")
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
