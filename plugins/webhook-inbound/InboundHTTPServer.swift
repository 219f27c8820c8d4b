import Foundation
import KawalContracts
import KawalPluginKit
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The HTTP side of webhook-inbound: one request per connection, read into memory up to the size
/// limit, judged by `InboundGate`, handed to kawald when it passes, and answered with JSON.
final class InboundHTTPServer: Sendable {
    let gate: InboundGate
    let kawald: Kawald
    /// Ids accepted within the window, shared by all connections.
    let recent = Mutex(RecentIDs(capacity: 10_000))
    /// A connection gets this long for its request and the answer, so that a client that sends
    /// nothing cannot hold it open.
    static let connectionDeadline = TimeAmount.seconds(60)

    init(gate: InboundGate, kawald: Kawald) {
        self.gate = gate
        self.kawald = kawald
    }

    /// Listens until the task is cancelled or the listening socket fails.
    func run(on address: ListenAddress, ready: @Sendable () -> Void) async throws {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
            }
        }
        let server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
        switch address {
        case .loopback(let host, let port):
            server = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
        case .unix(let path):
            server = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
            // The reverse proxy's account reaches it through the plugin's group, or the folder's permissions.
            chmod(path, 0o660)
        }
        ready()
        try await server.executeThenClose { connections in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in connections {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let closer = connection.channel.eventLoop.scheduleTask(in: Self.connectionDeadline) {
            connection.channel.close(promise: nil)
        }
        defer { closer.cancel() }
        do {
            try await connection.executeThenClose { parts, writer in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                for try await part in parts {
                    switch part {
                    case .head(let requestHead):
                        head = requestHead
                        body = []
                        if let refusal = InboundGate.route(method: requestHead.method.rawValue, target: requestHead.uri) {
                            return try await Response(refusal).write(to: writer)
                        }
                        if let length = requestHead.headers.first(name: "Content-Length").flatMap(Int.init), length > InboundGate.maximumBody {
                            return try await Response(InboundGate.tooLarge).write(to: writer)
                        }
                    case .body(let chunk):
                        // Reading stops at the limit: a larger body is never held in memory.
                        guard body.count + chunk.readableBytes <= InboundGate.maximumBody else {
                            return try await Response(InboundGate.tooLarge).write(to: writer)
                        }
                        body += chunk.readableBytesView
                    case .end:
                        guard let head else { return }
                        let request = InboundGate.Request(method: head.method.rawValue, target: head.uri,
                                                          timestamp: head.headers.first(name: "X-Kawal-Timestamp"),
                                                          signature: head.headers.first(name: "X-Kawal-Signature"), body: body)
                        return try await self.handle(request).write(to: writer)
                    }
                }
            }
        } catch {
            // The client went away, or its request was not HTTP (NIO answered 400 already).
            KawalPlugin.log("webhook-inbound: a connection ended early: \(error)", level: .info)
        }
    }

    /// The gate's verdict, and for a message that passes it, kawald's.
    func handle(_ request: InboundGate.Request) async -> Response {
        let now = Int64(Date().timeIntervalSince1970)
        let verdict = recent.withLock { gate.check(request, now: now, recent: $0) }
        switch verdict {
        case .refuse(let status, let refusal):
            // The reason and the field only: a body may hold a number or a message.
            KawalPlugin.log("webhook-inbound: refused a request with HTTP \(status): \(refusal.field.map { "\($0): " } ?? "")\(Self.reason(refusal))",
                            level: status == 401 ? .warning : .notice)
            return Response(verdict)
        case .replay(let answer):
            KawalPlugin.log("webhook-inbound: inbound message \(answer.id) delivered again within the window: not passed on", level: .info)
            return Response(verdict)
        case .forward(let body, let timestamp):
            switch await kawald.receive(body.message) {
            case .success(let receipt):
                let answer = WebhookInboundAnswer(receipt)
                recent.withLock { $0.remember(body.id, answer: answer, until: timestamp + gate.maximumSkew, now: now) }
                KawalPlugin.log("webhook-inbound: inbound message \(receipt.id) \(receipt.duplicate ? "seen before by kawald" : receipt.outcome)"
                                + (receipt.replyQueued ? ", reply queued" : ""))
                return Response(status: 200, json: WireJSON.encode(answer))
            case .failure(.invalid(let field, let message)):
                KawalPlugin.log("webhook-inbound: kawald refused a message: \(field): \(Self.reason(WebhookInboundRefusal(error: message)))", level: .warning)
                return Response(status: 400, json: WireJSON.encode(WebhookInboundRefusal(error: "kawald refused the message: \(message)", field: field)))
            case .failure(.unavailable(let reason)):
                KawalPlugin.log("webhook-inbound: cannot hand a message to kawald: \(reason)", level: .error)
                return Response(status: 503, json: WireJSON.encode(WebhookInboundRefusal(error: "kawald cannot take the message now; send it again later")))
            }
        }
    }

    /// A refusal's text for the log: it names headers and fields, never their values, but is cut short all the same.
    static func reason(_ refusal: WebhookInboundRefusal) -> String {
        String(refusal.error.prefix(120))
    }

}

/// One HTTP answer: a status and its JSON.
struct Response: Equatable {
    var status: Int
    var json: Data

    /// The answer to a request the gate settled by itself.
    init(_ verdict: InboundGate.Verdict) {
        switch verdict {
        case .refuse(let status, let refusal): self.init(status: status, json: WireJSON.encode(refusal))
        case .replay(let answer): self.init(status: 200, json: WireJSON.encode(answer))
        case .forward: preconditionFailure("a message that passed the gate is answered after kawald took it")
        }
    }

    init(status: Int, json: Data) {
        self.status = status
        self.json = json
    }

    func write(to writer: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status))
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(json.count))
        head.headers.add(name: "Connection", value: "close")
        if status == 405 { head.headers.add(name: "Allow", value: "POST") }
        if status == 503 { head.headers.add(name: "Retry-After", value: "30") }
        try await writer.write(.head(head))
        try await writer.write(.body(.byteBuffer(ByteBuffer(bytes: json))))
        try await writer.write(.end(nil))
    }
}
