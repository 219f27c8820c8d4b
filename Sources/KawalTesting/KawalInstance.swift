import Foundation
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// A real kawald in a temporary directory, for end-to-end tests (ours and plugin authors').
///
/// It waits for kawald's `READY=1` on a private notify socket, so a test starts talking to a
/// daemon that is really ready; everything kawald logs is kept in `log`.
///
/// ```swift
/// let kawald = try KawalInstance.start()
/// let status = try kawald.connect().call("io.kawal.Daemon.Status")
/// let result = try kawald.kawalctl(["status", "--json"])
/// ```
public final class KawalInstance: @unchecked Sendable {
    public let directory: String
    public let process: Process
    public let notifications: NotifyListener
    public var stateDirectory: String { directory + "/state" }
    public var runtimeDirectory: String { directory + "/run" }
    public var socketPath: String { runtimeDirectory + "/control.sock" }
    public var logPath: String { directory + "/kawald.log" }

    /// What to run kawald with.
    public struct Options: Sendable {
        /// Contents of a kawald.toml to write and pass with --config.
        public var config: String?
        public var environment: [String: String] = [:]
        public var extraArguments: [String] = []
        /// Run kawald under this command, e.g. `["systemd-socket-activate", "-l", PATH, "--fdname=control"]`.
        public var launcher: [String] = []
        /// Wait for READY=1 before returning.
        public var waitUntilReady = true

        public init(config: String? = nil, environment: [String: String] = [:], extraArguments: [String] = [],
                    launcher: [String] = [], waitUntilReady: Bool = true) {
            self.config = config
            self.environment = environment
            self.extraArguments = extraArguments
            self.launcher = launcher
            self.waitUntilReady = waitUntilReady
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts kawald in `directory` (a new temporary one when nil; a given one is left in place afterwards,
    /// so two instances can share a runtime folder).
    public static func start(_ options: Options = Options(), directory given: String? = nil) throws -> KawalInstance {
        let directory = try given ?? makeTemporaryDirectory()
        let notifications = try NotifyListener(path: directory + "/notify-\(UInt32.random(in: 0...UInt32.max)).sock")
        var arguments = ["--state-dir", directory + "/state", "--runtime-dir", directory + "/run"]
        if let config = options.config {
            let path = directory + "/kawald.toml"
            try config.write(toFile: path, atomically: true, encoding: .utf8)
            arguments += ["--config", path]
        }
        arguments += options.extraArguments
        let process = Process()
        let kawald = try KawalBinaries.path(of: "kawald")
        if options.launcher.isEmpty {
            process.executableURL = URL(fileURLWithPath: kawald)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: try KawalBinaries.which(options.launcher[0]))
            process.arguments = Array(options.launcher.dropFirst()) + [kawald] + arguments
        }
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "JOURNAL_STREAM", "KAWAL_SOCKET"] {
            environment.removeValue(forKey: key)
        }
        environment["NOTIFY_SOCKET"] = notifications.path
        environment.merge(options.environment) { _, new in new }
        process.environment = environment
        _ = FileManager.default.createFile(atPath: directory + "/kawald.log", contents: nil)
        let log = FileHandle(forWritingAtPath: directory + "/kawald.log")!
        process.standardError = log
        process.standardOutput = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let instance = KawalInstance(directory: directory, ownsDirectory: given == nil, process: process, notifications: notifications)
        if options.waitUntilReady {
            try instance.waitForNotification(containing: "READY=1", timeout: 30)
        }
        return instance
    }

    private let ownsDirectory: Bool

    init(directory: String, ownsDirectory: Bool, process: Process, notifications: NotifyListener) {
        self.directory = directory
        self.ownsDirectory = ownsDirectory
        self.process = process
        self.notifications = notifications
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Waits for a notify datagram containing `text`; returns it. Earlier datagrams are skipped but kept in `notificationLog`.
    @discardableResult
    public func waitForNotification(containing text: String, timeout: Double = 10) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let message = notifications.receive(timeout: min(0.5, deadline.timeIntervalSinceNow)) {
                if message.contains(text) { return message }
            } else if !process.isRunning {
                throw Failure(description: "kawald exited with status \(process.terminationStatus) before sending \(text); its log:\n\(log)")
            }
        }
        throw Failure(description: "kawald did not send \(text) within \(timeout) s; its log:\n\(log)")
    }

    /// Everything kawald wrote to stdout and stderr so far.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    public func connect() throws -> VarlinkConnection {
        let connection = try VarlinkConnection(unixSocketPath: socketPath)
        connection.setReceiveTimeout(seconds: 30)
        return connection
    }

    public func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// SIGTERM, then waits; returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning { signal(SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs kawalctl against this instance (with `--socket` added unless `socket` is false).
    public func kawalctl(_ arguments: [String], socket: Bool = true, environment: [String: String] = [:], launcher: [String] = []) throws -> CommandResult {
        try KawalBinaries.run("kawalctl", arguments + (socket ? ["--socket", socketPath] : []), environment: environment, launcher: launcher)
    }

    /// A new folder under the temporary directory, readable by other users (tests also connect as `nobody`).
    public static func makeTemporaryDirectory() throws -> String {
        // mkdtemp replaces the six trailing X with a unique suffix.
        var template = Array((NSTemporaryDirectory() + "/kawal-test-" + String(repeating: "X", count: 6)).utf8CString)
        guard let pointer = mkdtemp(&template) else { throw Failure(description: "mkdtemp failed: \(String(cString: strerror(errno)))") }
        let path = String(cString: pointer)
        // Tests also connect as other users (nobody), who must be able to reach the socket.
        chmod(path, 0o755)
        return path
    }
}

/// What a command printed and how it ended.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Finds the built binaries: `KAWAL_BIN_DIR`, else this package's `.build/debug`, else `PATH`.
public enum KawalBinaries {
    public static func directory() -> String? {
        if let dir = ProcessInfo.processInfo.environment["KAWAL_BIN_DIR"], !dir.isEmpty { return dir }
        let debug = SourceTree.path(".build/debug")
        return FileManager.default.isExecutableFile(atPath: debug + "/kawald") ? debug : nil
    }

    public static func path(of name: String) throws -> String {
        if let dir = directory(), FileManager.default.isExecutableFile(atPath: dir + "/" + name) { return dir + "/" + name }
        return try which(name)
    }

    public static func which(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw KawalInstance.Failure(description: "\(name) not found (set KAWAL_BIN_DIR or build with 'swift build')")
    }

    /// Runs a built binary (or a system command) to completion and captures its output.
    public static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:], launcher: [String] = [], input: String? = nil) throws -> CommandResult {
        let executable = try path(of: name)
        let process = Process()
        if launcher.isEmpty {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: try which(launcher[0]))
            process.arguments = Array(launcher.dropFirst()) + [executable] + arguments
        }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "KAWAL_SOCKET")
        env.merge(environment) { _, new in new }
        process.environment = env
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = FileManager.default.createFile(atPath: directory + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: directory + "/err", contents: nil)
        let out = FileHandle(forWritingAtPath: directory + "/out")!
        let err = FileHandle(forWritingAtPath: directory + "/err")!
        process.standardOutput = out
        process.standardError = err
        if let input {
            let pipe = Pipe()
            process.standardInput = pipe
            try process.run()
            pipe.fileHandleForWriting.write(Data(input.utf8))
            try pipe.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        return CommandResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? "")
    }
}
