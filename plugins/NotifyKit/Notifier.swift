import ArgumentParser
import Foundation
import KawalContracts
import KawalPluginKit
#if canImport(Glibc)
import Glibc
#endif

/// Options every notifier takes.
public struct NotifierOptions: ParsableArguments {
    @Option(help: ArgumentHelp("kawald's plugin socket, used when not started by kawald.", valueName: "path"))
    public var socket: String = ProcessInfo.processInfo.environment["KAWAL_PLUGIN_SOCKET"] ?? "/run/kawal/plugins.sock"

    @Option(name: .customLong("state-dir"),
            help: ArgumentHelp("Folder for the delivered-keys file (kept across restarts; created if missing). Default: $STATE_DIRECTORY, which kawal-plugin@NAME.service sets; without either, delivered keys are kept in memory only.",
                               valueName: "path"))
    public var stateDirectoryOption: String?

    /// --state-dir, else the folder systemd made for the plugin's unit (`StateDirectory=`).
    public var stateDirectory: String? { stateDirectoryOption ?? ProcessInfo.processInfo.environment["STATE_DIRECTORY"] }

    @Option(help: ArgumentHelp("How many delivered idempotency keys to remember.", valueName: "count"))
    public var remember: Int = 10_000

    public init() {}

    public func validate() throws {
        guard remember > 0 else { throw ValidationError("--remember: expected a positive number of keys, got \(remember)") }
        if let stateDirectory {
            do {
                try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ValidationError("--state-dir: cannot use \(stateDirectory) as a folder: \(error.localizedDescription)")
            }
        }
    }
}

/// The loop every notifier runs: connect and register, then for each job drop repeats, parse the
/// payload, deliver, and answer kawald. Jobs are carried out one at a time, in order.
///
/// ```swift
/// try await Notifier(name: "notify-email", capability: "notify.email", options: options).run { payload, job in
///     try await mailer.send(payload)
/// }
/// ```
public struct Notifier {
    public let name: String
    public let capability: String
    public let version: String
    public let options: NotifierOptions

    public init(name: String, capability: String, version: String = "1.0", options: NotifierOptions) {
        self.name = name
        self.capability = capability
        self.version = version
        self.options = options
    }

    /// A line on stderr, which kawald files under this plugin's name: no addresses, numbers or message text.
    public static func log(_ message: String, level: PluginLogLevel = .notice) {
        KawalPlugin.log(message, level: level)
    }

    public func run(_ deliver: @Sendable (NotifyPayload, PluginJob) async throws(DeliveryFailure) -> Void) async throws {
        // A helper that exits before reading its input must not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        // kawald's name for this plugin ([plugins.NAME]): two plugins running the same program keep apart.
        let registeredName = ProcessInfo.processInfo.environment["KAWAL_PLUGIN_NAME"] ?? name
        let keys = try DeliveredKeys(path: options.stateDirectory.map { $0 + "/\(registeredName).delivered-keys" }, capacity: options.remember)
        let plugin = try KawalPlugin.connect(name: registeredName, version: version, capabilities: [capability], socketPath: options.socket)
        Self.log("\(name) \(version) ready for \(capability); delivered keys \(keys.path.map { "in \($0) (\(keys.count) known)" } ?? "in memory")")
        for try await job in plugin.jobs {
            await handle(job, keys: keys, deliver)
        }
        Self.log("\(name) stopping")
    }

    func handle(_ job: PluginJob, keys: DeliveredKeys, _ deliver: @Sendable (NotifyPayload, PluginJob) async throws(DeliveryFailure) -> Void) async {
        guard job.kind == capability else {
            Self.log("job \(job.id): kind \(job.kind) is not \(capability); refused", level: .error)
            job.fail("\(name) handles \(capability), not \(job.kind)", retryable: false)
            return
        }
        if !job.idempotencyKey.isEmpty, keys.contains(job.idempotencyKey) {
            Self.log("job \(job.id): \(job.idempotencyKey) was delivered before; dropping the repeat (attempt \(job.attempt))", level: .info)
            job.ack()
            return
        }
        do throws(DeliveryFailure) {
            let payload = try NotifyPayload(json: job.payload)
            try await deliver(payload, job)
            if !job.idempotencyKey.isEmpty {
                do {
                    try keys.insert(job.idempotencyKey)
                } catch {
                    Self.log("job \(job.id): delivered, but \(error)", level: .warning)
                }
            }
            Self.log("job \(job.id): message \(payload.messageID) (\(payload.purpose)) handed over, attempt \(job.attempt)", level: .info)
            job.ack()
        } catch {
            Self.log("job \(job.id): \(error.retryable ? "will be retried" : "failed for good"): \(error.message)", level: error.retryable ? .warning : .error)
            job.fail(error.message, retryable: error.retryable)
        }
    }
}
