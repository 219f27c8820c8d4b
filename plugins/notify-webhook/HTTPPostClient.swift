import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NotifyKit

/// Where the webhook goes, from `--url`.
struct Endpoint: Sendable {
    let tls: Bool
    let host: String
    let port: Int
    /// Path and query, at least "/".
    let target: String

    struct Invalid: Error {}

    init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.user == nil, components.fragment == nil else { throw Invalid() }
        tls = scheme == "https"
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (tls ? 443 : 80)
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        target = path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    /// The Host header: the name, with the port when it is not the scheme's.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// TLS server names are host names, never address literals.
    var serverName: String? {
        host.contains(":") || host.split(separator: ".").allSatisfy({ Int($0) != nil }) ? nil : host
    }
}

/// One POST per connection, HTTP/1.1 on SwiftNIO (and NIOSSL for https): small enough to read,
/// with one deadline over connecting, sending and reading the status line.
struct HTTPPostClient: Sendable {
    let endpoint: Endpoint
    let timeout: TimeAmount
    let tlsContext: NIOSSLContext?

    init(endpoint: Endpoint, caFile: String?, timeout: TimeAmount) throws {
        self.endpoint = endpoint
        self.timeout = timeout
        if endpoint.tls {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let caFile { configuration.trustRoots = .file(caFile) }
            configuration.minimumTLSVersion = .tlsv12
            tlsContext = try NIOSSLContext(configuration: configuration)
        } else {
            tlsContext = nil
        }
    }

    /// Sends the request and returns the response status. Network trouble is a retryable failure.
    func post(_ request: WebhookRequest) async throws(DeliveryFailure) -> Int {
        let deadline = NIODeadline.now() + timeout
        do {
            return try await send(request, deadline: deadline)
        } catch {
            // At the deadline the channel is closed under the exchange, whatever it was doing.
            if NIODeadline.now() >= deadline {
                throw .temporary("the webhook did not answer within \(timeout.nanoseconds / 1_000_000_000) s")
            }
            if let failure = error as? DeliveryFailure { throw failure }
            throw .temporary("cannot reach the webhook at \(endpoint.hostHeader): \(Self.describe(error))")
        }
    }

    /// One short reason: "Connection refused", "cannot resolve the host name", "TLS: …".
    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let failure = error.connectionErrors.last { return describe(failure.error) }
            return "cannot resolve the host name"
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if let error = error as? ChannelError, case .connectTimeout = error { return "connecting timed out" }
        if let error = error as? NIOSSLError { return "TLS: \(error)" }
        if let error = error as? BoringSSLError { return "TLS: \(error)" }
        return String(describing: error)
    }

    private func send(_ request: WebhookRequest, deadline: NIODeadline) async throws -> Int {
        let endpoint = endpoint
        let tlsContext = tlsContext
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(deadline - .now())
            .connect(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: endpoint.serverName)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        // The deadline covers the exchange too: closing the channel ends the reads below.
        let closer = channel.channel.eventLoop.scheduleTask(deadline: deadline) {
            channel.channel.close(promise: nil)
        }
        defer { closer.cancel() }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.target)
        head.headers.add(name: "Host", value: endpoint.hostHeader)
        head.headers.add(name: "User-Agent", value: "kawal-notify-webhook/1.0")
        head.headers.add(name: "Content-Length", value: String(request.body.count))
        head.headers.add(name: "Connection", value: "close")
        for (name, value) in request.headers { head.headers.add(name: name, value: value) }
        let body = ByteBuffer(bytes: request.body)
        let requestHead = head
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(.head(requestHead))
            try await outbound.write(.body(.byteBuffer(body)))
            try await outbound.write(.end(nil))
            var status: Int?
            for try await part in inbound {
                switch part {
                case .head(let response):
                    // 1xx interim answers are skipped; the first final status counts.
                    if response.status.code >= 200 { status = Int(response.status.code) }
                case .body:
                    continue
                case .end:
                    if let status { return status }
                }
            }
            if let status { return status }
            throw DeliveryFailure.temporary("the webhook at \(endpoint.hostHeader) closed the connection without an answer")
        }
    }
}
