import CLinux
import Foundation
import KawalPluginKit
import Logging
import ProcessSpawn
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A plugin program started by kawald: one end of a socketpair inherited as fd 3 (named by
/// `KAWAL_PLUGIN_FD`; never stdout), stdin and stdout on /dev/null, stderr read line by line
/// into kawald's log tagged `KAWAL_PLUGIN=NAME`.
final class PluginProcess: Sendable {
    let name: String
    let pid: pid_t
    /// kawald's end of the socketpair.
    let socket: CInt
    private let exit: Mutex<ExitStatus?> = Mutex(nil)
    private let stderrLines = Mutex<[String]>([])
    private let exited = DispatchSemaphore(value: 0)

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    init(settings: PluginSettings, logger: Logger) throws {
        name = settings.name
        var pair: [CInt] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw SpawnError(description: "socketpair: \(String(cString: strerror(errno)))")
        }
        var errPipe: [CInt] = [-1, -1]
        guard pipe2(&errPipe, O_CLOEXEC) == 0 else {
            close(pair[0]); close(pair[1])
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        var environment = ProcessInfo.processInfo.environment
        for key in ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            environment[key] = nil
        }
        environment.merge(settings.environment) { _, new in new }
        environment["KAWAL_PLUGIN_FD"] = "3"
        environment["KAWAL_PLUGIN_NAME"] = settings.name
        // kawald blocks and handles signals itself; the plugin starts with the defaults, in a group of its own.
        let spawn = Spawn(settings.exec, settings.arguments, environment: environment,
                          descriptors: [0: .devNull, 1: .devNull, 2: .descriptor(errPipe[1]), 3: .descriptor(pair[1])],
                          isolatedWithDefaultSignals: [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD])
        let child: pid_t
        do {
            child = try spawn.start()
        } catch {
            [pair[0], pair[1], errPipe[0], errPipe[1]].forEach { close($0) }
            throw SpawnError(description: error.description)
        }
        close(pair[1])
        close(errPipe[1])
        pid = child
        socket = pair[0]
        startReadingStandardError(errPipe[0], logger: logger)
        startWaiting()
    }

    private func startReadingStandardError(_ fd: CInt, logger: Logger) {
        let name = self.name
        let thread = Thread { [self] in
            var logger = logger
            logger[metadataKey: "kawal.plugin"] = "\(name)"
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            var lines = StderrLines()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                for line in lines.append(chunk) { file(line, logger: logger) }
            }
            if let rest = lines.finish() { file(rest, logger: logger) }
        }
        thread.name = "plugin-\(name)-stderr"
        thread.start()
    }

    /// One line of the plugin's stderr into kawald's log at the level its `<N>` prefix names, and
    /// into the first lines kept for a failure report (which reaches admin alerts by SMS or e-mail).
    /// Whatever looks like an e-mail address or a phone number or NIK (9 or more digits) is cut out
    /// first: a plugin, maybe a third party's, must not put personal data into the journal.
    private func file(_ line: String, logger: Logger) {
        let (level, message) = PluginLogLevel.parse(Substring(line))
        let scrubbed = Redaction.scrub(String(message), minimumDigits: 9)
        stderrLines.withLock { if $0.count < 20 { $0.append(scrubbed) } }
        logger.log(level: level.loggerLevel, "\(scrubbed)")
    }

    private func startWaiting() {
        let pid = self.pid
        let thread = Thread { [self] in
            let outcome = ExitStatus.wait(for: pid)
            exit.withLock { $0 = outcome }
            exited.signal()
        }
        thread.name = "plugin-\(name)-wait"
        thread.start()
    }

    var exitStatus: ExitStatus? { exit.withLock { $0 } }

    /// The first lines the plugin wrote to stderr, for reports of why it failed.
    var firstStderrLines: [String] { stderrLines.withLock { Array($0.prefix(5)) } }

    /// Waits up to `timeout` seconds for the process to end.
    @discardableResult
    func waitForExit(timeout: Double) -> ExitStatus? {
        if exitStatus == nil, exited.wait(timeout: timeout.isFinite ? .now() + timeout : .distantFuture) == .success {
            // Pass the news on to anyone else waiting.
            exited.signal()
        }
        return exitStatus
    }

    func signal(_ signal: Int32) {
        if exitStatus == nil { kill(pid, signal) }
    }

    /// Ask (SIGTERM), wait, then kill.
    func terminate(grace: Double) {
        signal(SIGTERM)
        if waitForExit(timeout: grace) == nil {
            signal(SIGKILL)
            waitForExit(timeout: 5)
        }
    }
}

extension PluginLogLevel {
    var loggerLevel: Logger.Level {
        switch self {
        case .critical: .critical
        case .error: .error
        case .warning: .warning
        case .notice: .notice
        case .info: .info
        case .debug: .debug
        }
    }
}
