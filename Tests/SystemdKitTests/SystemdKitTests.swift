#if canImport(Glibc)
import Glibc
#endif
import Logging
import SystemdKit
import Testing

@Suite struct JournalFieldTests {
    @Test(arguments: [
        ("kawal.plugin", "KAWAL_PLUGIN"),
        ("case_id", "CASE_ID"),
        ("_private", "PRIVATE"),
        ("9lives", nil),
        ("méthode", "M_THODE"),
    ] as [(String, String?)])
    func metadataKeysBecomeJournalFieldNames(key: String, field: String?) {
        #expect(Journal.fieldName(key) == field)
    }

    @Test func levelsMapToSyslogPriorities() {
        #expect(Logger.Level.error.syslogPriority == 3)
        #expect(Logger.Level.notice.syslogPriority == 5)
        #expect(Logger.Level.debug.syslogPriority == 7)
    }
}

/// These tests change the process environment (NOTIFY_SOCKET, WATCHDOG_USEC), so they run one at a time.
@Suite(.serialized) struct NotifierTests {
    func withNotifySocket(_ body: (CInt) throws -> Void) throws {
        var template = Array("/tmp/notify-test-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        let path = directory + "/notify.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        setenv("NOTIFY_SOCKET", path, 1)
        defer {
            unsetenv("NOTIFY_SOCKET")
            close(fd)
            unlink(path)
            rmdir(directory)
        }
        try body(fd)
    }

    func receive(_ fd: CInt) -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 2000) > 0 else { return "" }
        let count = recv(fd, &buffer, buffer.count, 0)
        return String(decoding: buffer[0..<max(0, count)], as: UTF8.self)
    }

    @Test func sendsStatesAsDatagrams() throws {
        try withNotifySocket { fd in
            let notifier = SystemdNotifier()
            #expect(notifier.isActive)
            notifier.ready(status: "Serving\ncontrol")
            #expect(receive(fd) == "READY=1\nSTATUS=Serving control")
            notifier.reloading(status: "Reloading")
            let reloading = receive(fd)
            #expect(reloading.hasPrefix("RELOADING=1\nSTATUS=Reloading\nMONOTONIC_USEC="))
            #expect(UInt64(reloading.split(separator: "=").last!) ?? 0 > 0)
            notifier.stopping(status: "Bye")
            #expect(receive(fd) == "STOPPING=1\nSTATUS=Bye")
            notifier.watchdog()
            #expect(receive(fd) == "WATCHDOG=1")
        }
    }

    /// systemd may hand out an abstract address (`@name`); and a changed NOTIFY_SOCKET is followed.
    @Test func sendsToAnAbstractAddressToo() throws {
        let name = "kawal-notify-test-\(getpid())"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: [0] + Array(name.utf8)) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + 1 + name.utf8.count)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        #expect(bound == 0)
        try withNotifySocket { pathSocket in
            SystemdNotifier().status("on the path")
            #expect(receive(pathSocket) == "STATUS=on the path")
            setenv("NOTIFY_SOCKET", "@" + name, 1)
            SystemdNotifier().watchdog()
            #expect(receive(fd) == "WATCHDOG=1")
        }
    }

    @Test func watchdogIntervalIsHalfOfWatchdogUsec() {
        setenv("WATCHDOG_USEC", "3000000", 1)
        defer { unsetenv("WATCHDOG_USEC") }
        #expect(SystemdNotifier().watchdogPingInterval() == .milliseconds(1500))
        setenv("WATCHDOG_PID", "1", 1)
        defer { unsetenv("WATCHDOG_PID") }
        #expect(SystemdNotifier().watchdogPingInterval() == nil, "a watchdog meant for another process is not ours")
    }

    @Test func doesNothingWithoutAServiceManager() {
        unsetenv("NOTIFY_SOCKET")
        #expect(!SystemdNotifier().isActive)
        SystemdNotifier().ready(status: "nobody listens")
    }
}
