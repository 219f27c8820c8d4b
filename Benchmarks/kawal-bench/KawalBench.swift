#if canImport(Glibc)
import Glibc
#endif
import Varlink

/// Load generator for `make bench`: sequential varlink round trips on one connection.
///
/// Usage: kawal-bench ping SOCKET [CALLS]
/// Prints one line: `calls=N seconds=S rate=R` (round trips per second).
@main
struct KawalBench {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 3, arguments[1] == "ping" else {
            print("usage: kawal-bench ping SOCKET [CALLS]")
            exit(2)
        }
        let calls = arguments.count > 3 ? Int(arguments[3]) ?? 100_000 : 100_000
        let connection = try VarlinkConnection(unixSocketPath: arguments[2])
        for _ in 0..<1000 { try connection.call("io.kawal.Daemon.Ping") }
        let start = now()
        for _ in 0..<calls { try connection.call("io.kawal.Daemon.Ping") }
        let seconds = now() - start
        print("calls=\(calls) seconds=\(seconds) rate=\(Double(calls) / seconds)")
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
