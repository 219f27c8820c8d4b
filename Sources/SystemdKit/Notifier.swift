import CSystemd
import Synchronization
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
        if !NotifySocket.send(message) { _ = sd_notify(0, message) }
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

/// One datagram socket for every notification, opened at the first. `sd_notify` opens, tunes and
/// closes a socket per call (about a dozen system calls); a watchdog ping should cost one `sendto`.
/// Handles path and abstract (`@…`) addresses, the ones systemd gives services; anything else
/// (`vsock:` in a virtual machine) is left to `sd_notify`.
enum NotifySocket {
    private struct Open {
        var variable: String
        var fd: CInt
        var address: sockaddr_un
        var length: socklen_t
    }

    private static let state = Mutex<Open?>(nil)

    /// False when the message is `sd_notify`'s to send.
    static func send(_ message: String) -> Bool {
        guard let pointer = getenv("NOTIFY_SOCKET") else { return true }
        let variable = String(cString: pointer)
        return state.withLock { open -> Bool in
            if open?.variable != variable {
                if let fd = open?.fd { close(fd) }
                open = Self.open(variable)
            }
            guard var target = open else { return false }
            let sent = message.utf8CString.withUnsafeBufferPointer { text in
                withUnsafePointer(to: &target.address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(target.fd, text.baseAddress, text.count - 1, Int32(MSG_NOSIGNAL), $0, target.length)
                    }
                }
            }
            return sent >= 0
        }
    }

    private static func open(_ variable: String) -> Open? {
        var bytes = Array(variable.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "/") || first == UInt8(ascii: "@") else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return nil }
        if first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            for (index, byte) in bytes.enumerated() { path[index] = byte }
        }
        // A path address ends with its NUL; an abstract one is exactly as long as its name.
        let pathLength = first == UInt8(ascii: "@") ? bytes.count : bytes.count + 1
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathLength)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        return Open(variable: variable, fd: fd, address: address, length: length)
    }
}

extension String {
    /// A status line must stay one line: the notify protocol separates assignments by newlines.
    func replacingNewlines() -> String {
        guard contains(where: \.isNewline) else { return self }
        return String(map { $0.isNewline ? " " : $0 })
    }
}
