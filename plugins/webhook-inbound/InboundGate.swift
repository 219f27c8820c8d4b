import Foundation
import KawalContracts
import NotifyKit

/// What webhook-inbound decides about one HTTP request, before anything reaches kawald: a pure
/// function of the request, the secret, the clock and the ids seen, tested without a socket.
///
/// In order: the route (`POST /inbound`), the size, the signature over timestamp and body, the time
/// window, the body's fields, and a replayed id.
///
/// ```swift
/// let gate = InboundGate(secret: secret, maximumSkew: 300)
/// switch gate.check(request, now: 1_796_086_800, recent: recent) {
/// case .forward(let body): …   // hand body.message to kawald
/// case .replay(let answer): …  // 200, answered from memory
/// case .refuse(let status, let refusal): …
/// }
/// ```
struct InboundGate: Sendable {
    static let path = "/inbound"
    static let maximumBody = 16 * 1024

    let secret: [UInt8]
    /// Seconds a request's timestamp may be away from this server's clock, either way.
    let maximumSkew: Int64

    struct Request {
        var method: String
        /// The request target: a path, perhaps with a query.
        var target: String
        var timestamp: String?
        var signature: String?
        var body: [UInt8]
    }

    enum Verdict: Equatable {
        case forward(WebhookInboundBody, timestamp: Int64)
        case replay(WebhookInboundAnswer)
        case refuse(status: Int, WebhookInboundRefusal)
    }

    /// Whether `method` and `target` reach the one route: nil when they do, else 404 or 405.
    static func route(method: String, target: String) -> Verdict? {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
        guard path == Self.path else {
            return .refuse(status: 404, WebhookInboundRefusal(error: "no such path: messages go to POST \(Self.path)"))
        }
        guard method == "POST" else {
            return .refuse(status: 405, WebhookInboundRefusal(error: "\(Self.path) takes POST only, not \(method.prefix(16))"))
        }
        return nil
    }

    static let tooLarge = Verdict.refuse(status: 413, WebhookInboundRefusal(
        error: "the body is larger than \(maximumBody / 1024) KiB; one message is a few hundred bytes of JSON"))

    func check(_ request: Request, now: Int64, recent: RecentIDs) -> Verdict {
        if let refusal = Self.route(method: request.method, target: request.target) { return refusal }
        guard request.body.count <= Self.maximumBody else { return Self.tooLarge }
        guard let text = request.timestamp, let timestamp = Int64(text), timestamp > 0 else {
            return .refuse(status: 401, WebhookInboundRefusal(error: "X-Kawal-Timestamp: expected the time of sending in unix seconds, e.g. \(now)",
                                                              field: "X-Kawal-Timestamp"))
        }
        guard let signature = request.signature else {
            return .refuse(status: 401, WebhookInboundRefusal(
                error: "X-Kawal-Signature is missing: expected sha256=<hex of HMAC-SHA256 with the shared secret over \"<X-Kawal-Timestamp>.<body>\">",
                field: "X-Kawal-Signature"))
        }
        guard WebhookRequest.isSigned(body: request.body, timestamp: timestamp, header: signature, secret: secret) else {
            return .refuse(status: 401, WebhookInboundRefusal(
                error: "X-Kawal-Signature does not match: expected sha256=<hex of HMAC-SHA256 with the shared secret over \"<X-Kawal-Timestamp>.<body>\">, the body's exact bytes",
                field: "X-Kawal-Signature"))
        }
        // Checked after the signature, so that only the gateway learns how far its clock is off.
        let skew = timestamp - now
        guard abs(skew) <= maximumSkew else {
            return .refuse(status: 401, WebhookInboundRefusal(
                error: "X-Kawal-Timestamp is \(abs(skew)) s \(skew < 0 ? "old" : "ahead of this server's clock"); at most \(maximumSkew) s either way is accepted: send it at once, and check the gateway's clock",
                field: "X-Kawal-Timestamp"))
        }
        let body: WebhookInboundBody
        do {
            body = try WireJSON.decode(WebhookInboundBody.self, from: Data(request.body))
        } catch {
            return .refuse(status: 400, WebhookInboundRefusal(
                error: "\(error); expected {\"id\": \"…\", \"sender\": \"…\", \"text\": \"…\", \"received_at\": \"2026-12-08T01:00:00Z\" (optional)}",
                field: error.field.isEmpty ? nil : error.field))
        }
        guard !body.id.isEmpty, body.id.utf8.count <= 200 else {
            return .refuse(status: 400, WebhookInboundRefusal(error: "'id': expected the gateway's id for the message, 1 to 200 bytes", field: "id"))
        }
        if let answer = recent.answer(for: body.id, now: now) {
            return .replay(WebhookInboundAnswer(id: answer.id, duplicate: true, outcome: answer.outcome))
        }
        return .forward(body, timestamp: timestamp)
    }
}
