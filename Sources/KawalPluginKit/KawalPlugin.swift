import Foundation
import KawalContracts
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// A job offered to this plugin. Settle it with `ack()` or `fail(_:retryable:)`, once.
public final class PluginJob: Sendable {
    public let id: Int64
    public let kind: String
    /// The job's parameters as JSON text.
    public let payload: String
    /// The same for every attempt of the same work: drop a job whose key you already carried out.
    public let idempotencyKey: String
    public let attempt: Int64
    public let dueAt: String
    let batch: Batch

    init(_ offer: JobOffer, batch: Batch) {
        id = offer.id
        kind = offer.kind
        payload = offer.payload
        idempotencyKey = offer.idempotencyKey
        attempt = offer.attempt
        dueAt = offer.dueAt
        self.batch = batch
    }

    /// The payload parsed as JSON.
    public var parameters: JSONValue { (try? JSONValue(parsing: payload)) ?? .null }

    /// Done.
    public func ack() { batch.settle(.done(id)) }

    /// Not done: with `retryable`, kawald tries again later; without, the job goes to the dead letters.
    public func fail(_ message: String, retryable: Bool) {
        batch.settle(.failed(id, message, retryable: retryable))
    }
}

/// The answers to one Run call, handed to the serving thread as jobs are settled.
final class Batch: @unchecked Sendable {
    private let condition = NSCondition()
    private var settled: Set<Int64> = []
    private var queue: [JobResult] = []
    private let size: Int

    init(size: Int) { self.size = size }

    func settle(_ result: JobResult) {
        condition.lock()
        defer { condition.unlock() }
        // Settling twice is ignored: the first answer counts.
        guard settled.insert(result.id).inserted else { return }
        queue.append(result)
        // The serving thread wakes for the first answer it can send and when the batch is
        // complete, not for every answer in between: a wake-up costs more than a fast job.
        if queue.count == 1 || settled.count == size { condition.signal() }
    }

    /// Every answer settled so far, waiting for at least one; then up to a millisecond more for
    /// answers close behind it (up to `remaining`), so that a fast plugin sends few large replies.
    func next(remaining: Int) -> [JobResult] {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty { condition.wait() }
        let deadline = Date().addingTimeInterval(0.001)
        while queue.count < remaining, settled.count < size, condition.wait(until: deadline) {}
        defer { queue.removeAll(keepingCapacity: true) }
        return queue
    }
}

/// A Kawal plugin: connects to kawald, registers its capabilities, then receives jobs.
///
/// ```swift
/// let plugin = try KawalPlugin.connect(name: "notify-email", version: "1.0", capabilities: ["notify.email"])
/// for try await job in plugin.jobs {
///     do { try send(job.parameters); job.ack() } catch { job.fail("\(error)", retryable: true) }
/// }
/// ```
/// Started by kawald, a plugin finds its connection in `KAWAL_PLUGIN_FD`; run on its own (e.g. as a
/// systemd unit), it connects to kawald's plugins.sock.
public final class KawalPlugin: @unchecked Sendable {
    public let name: String
    public let version: String
    public let capabilities: [String]
    /// What kawald agreed to at registration.
    public private(set) var leaseSeconds: Int64 = 0
    public private(set) var protocolVersion: Int64 = 0
    /// The jobs kawald offers, one batch (one `Run` call) at a time. Ends when kawald asks the
    /// plugin to stop. A plugin that can do a batch's work at once (one write, one flush) reads
    /// these; others read `jobs`.
    public let batches: AsyncThrowingStream<[PluginJob], any Error>
    private let continuation: AsyncThrowingStream<[PluginJob], any Error>.Continuation
    /// The jobs kawald offers, as they come, one by one.
    public var jobs: PluginJobs { PluginJobs(batches: batches) }
    private let connection: VarlinkConnection

    public static let protocolVersion: Int64 = 1

    /// Connects (inherited socket, else `socketPath`) and registers.
    public static func connect(name: String, version: String, capabilities: [String], socketPath: String = "/run/kawal/plugins.sock") throws -> KawalPlugin {
        let connection: VarlinkConnection
        if let fdText = ProcessInfo.processInfo.environment["KAWAL_PLUGIN_FD"], let fd = CInt(fdText) {
            connection = VarlinkConnection(connectedSocket: fd, description: "kawald")
        } else {
            connection = try VarlinkConnection(unixSocketPath: socketPath)
        }
        let plugin = KawalPlugin(name: name, version: version, capabilities: capabilities, connection: connection)
        try plugin.register()
        plugin.startServing()
        return plugin
    }

    init(name: String, version: String, capabilities: [String], connection: VarlinkConnection) {
        self.name = name
        self.version = version
        self.capabilities = capabilities
        self.connection = connection
        (batches, continuation) = AsyncThrowingStream.makeStream(of: [PluginJob].self)
    }

    private func register() throws {
        try connection.send(VarlinkCall(method: "io.kawal.Plugin.Register", parameters: [
            "name": .string(name), "version": .string(version), "protocol_version": .int(Self.protocolVersion),
            "capabilities": .array(capabilities.map { .string($0) }),
        ], upgrade: true))
        let reply = try connection.receive()
        if let error = reply.error { throw VarlinkError(error, reply.parameters) }
        leaseSeconds = reply.parameters["lease_seconds"]?.intValue ?? 0
        protocolVersion = reply.parameters["protocol_version"]?.intValue ?? 0
    }

    /// After registering, kawald calls us: read its calls on a thread of our own.
    private func startServing() {
        let thread = Thread { [self] in
            do {
                while true {
                    let call = try VarlinkCall(message: try connection.receiveMessage())
                    switch call.method {
                    case "io.kawal.PluginJobs.Run":
                        let offered: [JobOffer]
                        do {
                            offered = try call.parameters["jobs"]?.decode([JobOffer].self) ?? []
                        } catch {
                            try connection.sendMessage(VarlinkReply(error: .invalidParameter("jobs")).message)
                            Self.log("kawald offered jobs that are not io.kawal.PluginJobs.Job: \(error)", level: .error)
                            continue
                        }
                        let batch = Batch(size: offered.count)
                        if !offered.isEmpty { continuation.yield(offered.map { PluginJob($0, batch: batch) }) }
                        if offered.isEmpty {
                            try connection.sendMessage(VarlinkReply(parameters: ["results": []]).message)
                        } else if call.more {
                            // Answer as jobs are settled, so that kawald keeps what is done even if we die mid-batch.
                            var answered = 0
                            while answered < offered.count {
                                let results = batch.next(remaining: offered.count - answered)
                                answered += results.count
                                try connection.sendMessage(VarlinkReply(parameters: ["results": JSONValue(wire: results)], continues: answered < offered.count).message)
                            }
                        } else {
                            var results: [JobResult] = []
                            while results.count < offered.count { results += batch.next(remaining: offered.count - results.count) }
                            try connection.sendMessage(VarlinkReply(parameters: ["results": JSONValue(wire: results)]).message)
                        }
                    case "io.kawal.PluginJobs.Ping":
                        try connection.sendMessage(VarlinkReply().message)
                    case "io.kawal.PluginJobs.Stop":
                        try connection.sendMessage(VarlinkReply().message)
                        continuation.finish()
                        return
                    default:
                        try connection.sendMessage(VarlinkReply(error: .methodNotFound(call.method)).message)
                    }
                }
            } catch {
                continuation.finish(throwing: error)
            }
        }
        thread.name = "kawal-plugin"
        thread.start()
    }

    /// A log line on stderr, which kawald files under this plugin (KAWAL_PLUGIN=NAME) at `level`.
    /// No personal data: use job ids and case ids, never names, NIK or phone numbers.
    public func log(_ message: String, level: PluginLogLevel = .notice) {
        Self.log(message, level: level)
    }

    /// The same, for code that has no plugin at hand.
    public static func log(_ message: String, level: PluginLogLevel = .notice) {
        FileHandle.standardError.write(Data(PluginLogLevel.format(message, level: level).utf8))
    }
}

/// How important a plugin's log line is. On stderr it is a prefix in the form of sd-daemon(3)
/// (`<3>backup failed: …`), so that `journalctl -p err` finds a plugin's errors; kawald reads the
/// prefix, and a line without one is a notice.
public enum PluginLogLevel: Int, Sendable, CaseIterable {
    case critical = 2
    case error = 3
    case warning = 4
    case notice = 5
    case info = 6
    case debug = 7

    /// One line: the prefix, the message with its line breaks made spaces, a newline.
    public static func format(_ message: String, level: PluginLogLevel) -> String {
        "<\(level.rawValue)>" + message.replacingOccurrences(of: "\n", with: " ") + "\n"
    }

    /// The level and message of a line a plugin wrote (without its newline). Levels 0 and 1
    /// (emergency, alert) count as critical: a plugin cannot bring the whole system down.
    public static func parse(_ line: Substring) -> (level: PluginLogLevel, message: Substring) {
        guard line.count >= 3, line.first == "<", let digit = line.dropFirst().first, let value = digit.wholeNumberValue,
              digit.isASCII, value <= 7, line.dropFirst(2).first == ">" else {
            return (.notice, line)
        }
        return (PluginLogLevel(rawValue: max(value, 2))!, line.dropFirst(3))
    }
}

/// The jobs of every batch in turn: one suspension per batch, not per job.
public struct PluginJobs: AsyncSequence, Sendable {
    public typealias Element = PluginJob
    let batches: AsyncThrowingStream<[PluginJob], any Error>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var batches: AsyncThrowingStream<[PluginJob], any Error>.AsyncIterator
        var current: [PluginJob] = []
        var index = 0

        public mutating func next() async throws -> PluginJob? {
            while index == current.count {
                guard let batch = try await batches.next() else { return nil }
                current = batch
                index = 0
            }
            defer { index += 1 }
            return current[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(batches: batches.makeAsyncIterator()) }
}
