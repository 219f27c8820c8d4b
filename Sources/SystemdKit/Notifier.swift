import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Tells the service manager how the service is doing (sd_notify). Without `NOTIFY_SOCKET`
/// (a terminal, a container, a test) every call does nothing, so callers need not care.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Whether a service manager is listening.
    public var isActive: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// Sends assignments such as `READY=1` or `STATUS=…`, newline-separated, in one datagram.
    public func send(_ assignments: [String]) {
        guard isActive else { return }
        let message = assignments.map { $0.replacingNewlines() }.joined(separator: "\n")
        _ = sd_notify(0, message)
    }

    public func ready(status: String) { send(["READY=1", "STATUS=" + status]) }

    public func status(_ status: String) { send(["STATUS=" + status]) }

    /// Announces a reload; the manager waits for `ready(status:)` again.
    public func reloading(status: String) {
        send(["RELOADING=1", "STATUS=" + status, "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"])
    }

    public func stopping(status: String) { send(["STOPPING=1", "STATUS=" + status]) }

    public func watchdog() { send(["WATCHDOG=1"]) }

    /// How often to ping the watchdog: half of `WATCHDOG_USEC`, or nil when the watchdog is off
    /// (or meant for another process, as `WATCHDOG_PID` says).
    public func watchdogPingInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec / 2))
    }

    static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}

extension String {
    /// A status line must stay one line: the notify protocol separates assignments by newlines.
    func replacingNewlines() -> String {
        guard contains(where: \.isNewline) else { return self }
        return String(map { $0.isNewline ? " " : $0 })
    }
}
