import Dispatch
import Foundation
import Synchronization
import KawalContracts
import KawalCore
import KawalPluginKit
import KawalStore
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// What a plugin said when it registered.
struct PluginRegistration: Sendable, Equatable {
    var name: String
    var version: String
    var protocolVersion: Int64
    var capabilities: Set<String>
}

/// Why talking to a plugin failed.
struct PluginChannelError: Error, CustomStringConvertible {
    var description: String
}

/// The varlink connection to one plugin. Its blocking reads and writes run on a queue of their
/// own, never on the event loop or Swift's cooperative threads; callers await the results.
final class PluginChannel: @unchecked Sendable {
    private let connection: VarlinkConnection
    private let fd: CInt
    private let queue: DispatchQueue
    /// Run calls queued or being answered: while one is, the connection is the batch's until it ends.
    private let runsInFlight = Atomic<Int>(0)

    init(socket: CInt, label: String) {
        fd = socket
        connection = VarlinkConnection(connectedSocket: socket, description: "plugin \(label)")
        queue = DispatchQueue(label: "kawal.plugin.\(label)")
    }

    /// Calls `onHangup` once when the plugin closes its end, even while nothing is being read
    /// (an idle plugin that dies is noticed at once, not at the next ping).
    func watchForHangup(_ onHangup: @escaping @Sendable () -> Void) {
        let fd = self.fd
        let thread = Thread {
            // POLLRDHUP (Linux): the peer closed its end. Glibc hides the constant behind _GNU_SOURCE.
            let peerClosed: Int16 = 0x2000
            var poller = pollfd(fd: fd, events: peerClosed, revents: 0)
            while poll(&poller, 1, -1) < 0 && errno == EINTR {}
            onHangup()
        }
        thread.name = "kawal-plugin-hangup"
        thread.start()
    }

    /// Unblocks a pending read or write; the connection is finished.
    func shutdown() {
        Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    func perform<T: Sendable>(_ body: @escaping @Sendable (VarlinkConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                do {
                    continuation.resume(returning: try body(self.connection))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// The first call on a connection, before any handshake: `io.kawal.Plugin.Register`, or a
    /// backup plugin's `io.kawal.Backup.Snapshot` on a connection of its own.
    func firstCall(timeout: Double) async throws -> VarlinkCall {
        try await perform { connection in
            connection.setReceiveTimeout(seconds: timeout)
            do {
                let call = try VarlinkCall(message: try connection.receiveMessage())
                connection.setReceiveTimeout(seconds: 0)
                return call
            } catch let error as VarlinkSocketError where error.errno == EAGAIN || error.errno == EWOULDBLOCK {
                throw PluginChannelError(description: "did not register within \(Int(timeout)) s")
            } catch let error as VarlinkSocketError {
                throw PluginChannelError(description: "closed the connection before registering (\(error))")
            }
        }
    }

    /// Waits for `io.kawal.Plugin.Register` (with `upgrade`) and answers it. `expectedName` is the
    /// name kawald started the plugin under (nil for external plugins).
    func handshake(expectedName: String?, takenNames: Set<String> = [], refusal: VarlinkError? = nil, timeout: Double,
                   leaseSeconds: Int64, pingSeconds: Int64, firstCall: VarlinkCall? = nil) async throws -> PluginRegistration {
        let received: VarlinkCall
        if let firstCall { received = firstCall } else { received = try await self.firstCall(timeout: timeout) }
        return try await perform { connection in
            let call = received
            func refuse(_ error: VarlinkError) throws -> Never {
                try connection.sendMessage(VarlinkReply(error: error).message)
                throw PluginChannelError(description: "registration refused: \(error)")
            }
            if let refusal { try refuse(refusal) }
            guard call.method == "io.kawal.Plugin.Register", let method = KawalInterfaces.plugin.methods["Register"] else {
                try refuse(.methodNotFound(call.method))
            }
            if let invalid = KawalInterfaces.plugin.firstInvalidParameter(call.parameters, against: method.input) {
                try refuse(.invalidParameter(invalid))
            }
            guard call.upgrade else {
                try refuse(.invalidParameter("upgrade"))
            }
            let name = call.parameters["name"]!.stringValue!
            if let expectedName, name != expectedName {
                try refuse(VarlinkError("io.kawal.Plugin.NameRefused", [
                    "name": .string(name), "message": .string("this plugin was started as '\(expectedName)'; register under that name"),
                ]))
            }
            if takenNames.contains(name) {
                try refuse(VarlinkError("io.kawal.Plugin.NameRefused", [
                    "name": .string(name), "message": .string("a plugin named '\(name)' is configured or connected already"),
                ]))
            }
            let requested = call.parameters["protocol_version"]!.intValue!
            let supported = KawalInterfaces.pluginProtocolVersions
            // Negotiation: the highest version both speak.
            guard let agreed = supported.filter({ $0 <= requested }).max() else {
                try refuse(VarlinkError("io.kawal.Plugin.VersionUnsupported", ["requested": .int(requested), "supported": .array(supported.map { .int($0) })]))
            }
            try connection.sendMessage(VarlinkReply(parameters: [
                "protocol_version": .int(agreed), "lease_seconds": .int(leaseSeconds), "ping_seconds": .int(pingSeconds),
            ]).message)
            let capabilities = Set(call.parameters["capabilities"]!.arrayValue!.compactMap(\.stringValue))
            return PluginRegistration(name: name, version: call.parameters["version"]!.stringValue!, protocolVersion: agreed, capabilities: capabilities)
        }
    }

    /// Hands jobs to the plugin (`Run` with `more`) and collects its answers as they come: a plugin
    /// may answer job by job (`continues`) or all at once. Each answer must come within `timeout`.
    /// The caller takes whatever has arrived each time it is ready, so that while one settlement is
    /// being written the next answers gather into one larger settlement.
    func run(_ jobs: [OfferedJob], timeout: Double, display: @escaping @Sendable (Date) -> String) -> ResultMailbox {
        let mailbox = ResultMailbox()
        let continuation = mailbox
        runsInFlight.add(1, ordering: .relaxed)
        queue.async { [self] in
                defer { runsInFlight.subtract(1, ordering: .relaxed) }
                do {
                    connection.setReceiveTimeout(seconds: timeout)
                    let offers = jobs.map {
                        JobOffer(id: $0.id, kind: $0.kind, payload: $0.payload, idempotencyKey: $0.idempotencyKey, attempt: $0.attempt,
                                 dueAt: display($0.dueAt))
                    }
                    try connection.send(VarlinkCall(method: "io.kawal.PluginJobs.Run", parameters: ["jobs": JSONValue(wire: offers)], more: true))
                    var finished = false
                    while !finished {
                        // Answers that arrived together are settled together (one transaction, not one each).
                        var replies = [try Self.receiveReply(connection, what: "Run")]
                        while replies.last!.continues, replies.last!.error == nil, let more = try connection.bufferedMessage() {
                            replies.append(try VarlinkReply(message: more))
                        }
                        var chunk: [JobResult] = []
                        for reply in replies {
                            if let error = reply.error {
                                // The rest of the batch failed; try again later.
                                let answered = Set(chunk.map(\.id))
                                chunk += jobs.filter { !answered.contains($0.id) }.map { .failed($0.id, "plugin answered \(error)", retryable: true) }
                                finished = true
                                break
                            }
                            guard let results = reply.parameters["results"]?.arrayValue else {
                                throw PluginChannelError(description: "answered Run without results")
                            }
                            // A result that is not an io.kawal.PluginJobs.Result settles nothing: its job is offered again when the lease ends.
                            chunk += results.compactMap { try? $0.decode(JobResult.self) }.map { result in
                                // A plugin's error text goes to the job, kawalctl and admin alerts: no addresses or numbers.
                                var result = result
                                result.error = result.error.map { Redaction.scrub($0, minimumDigits: 9) }
                                return result
                            }
                            if !reply.continues { finished = true }
                        }
                        continuation.yield(chunk)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
        }
        return mailbox
    }

    func ping(timeout: Double) async throws {
        try await perform { connection in
            connection.setReceiveTimeout(seconds: timeout)
            try connection.send(VarlinkCall(method: "io.kawal.PluginJobs.Ping"))
            let reply = try Self.receiveReply(connection, what: "Ping")
            if let error = reply.error { throw PluginChannelError(description: "answered Ping with \(error)") }
        }
    }

    /// Asks the plugin to finish; returns when it answered or `timeout` passed. A plugin in the middle
    /// of a batch is not asked over the connection: the call would wait behind the batch (for a hung
    /// plugin, until its lease ran out). Its process is the one to signal (false).
    @discardableResult
    func stop(timeout: Double) async -> Bool {
        guard runsInFlight.load(ordering: .relaxed) == 0 else { return false }
        do {
            try await perform { connection in
                connection.setReceiveTimeout(seconds: timeout)
                try connection.send(VarlinkCall(method: "io.kawal.PluginJobs.Stop"))
                _ = try Self.receiveReply(connection, what: "Stop")
            }
            return true
        } catch {
            return false
        }
    }

    private static func receiveReply(_ connection: VarlinkConnection, what: String) throws -> VarlinkReply {
        do {
            return try connection.receive()
        } catch let error as VarlinkSocketError where error.errno == EAGAIN || error.errno == EWOULDBLOCK {
            throw PluginChannelError(description: "did not answer \(what) in time")
        } catch let error as VarlinkSocketError {
            throw PluginChannelError(description: "connection lost during \(what) (\(error))")
        } catch {
            throw PluginChannelError(description: "sent garbage instead of an answer to \(what): \(error)")
        }
    }
}

/// Answers from a plugin, posted by the reading thread and taken in bulk by the serve loop.
final class ResultMailbox: Sendable {
    private struct State {
        var pending: [JobResult] = []
        var finished = false
        var failure: (any Error)?
        var waiter: CheckedContinuation<Void, Never>?
        var cancelled = false
    }

    private enum Next {
        case results([JobResult])
        case end((any Error)?)
        case wait
    }

    private let state = Mutex(State())

    func yield(_ results: [JobResult]) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.pending += results
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func finish(throwing error: (any Error)? = nil) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            state.failure = error
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Everything that arrived since the last call, waiting for something; nil at the end, and when
    /// the waiting task is cancelled (a plugin being stopped in the middle of a batch) once what
    /// arrived before has been taken: answers given are settled, not offered again.
    func take() async throws -> [JobResult]? {
        while true {
            let next = state.withLock { state -> Next in
                if !state.pending.isEmpty {
                    defer { state.pending.removeAll(keepingCapacity: true) }
                    return .results(state.pending)
                }
                return state.finished ? .end(state.failure) : .wait
            }
            switch next {
            case .results(let results): return results
            case .end(let error?): throw error
            case .end(nil): return nil
            case .wait:
                if Task.isCancelled { return nil }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let ready = state.withLock { state -> Bool in
                            if !state.pending.isEmpty || state.finished || state.cancelled { return true }
                            state.waiter = continuation
                            return false
                        }
                        if ready { continuation.resume() }
                    }
                } onCancel: {
                    let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                        state.cancelled = true
                        defer { state.waiter = nil }
                        return state.waiter
                    }
                    waiter?.resume()
                }
            }
        }
    }
}
