import Foundation

/// What a chat gateway POSTs to webhook-inbound (`POST /inbound`): one message a handler sent.
///
/// ```json
/// {"id": "wamid.HBgN…", "sender": "+6281234567001", "text": "SELESAI 1842 ibu aman", "received_at": "2026-12-08T01:00:00Z"}
/// ```
public struct WebhookInboundBody: Codable, Sendable, Equatable {
    /// The gateway's id for the message: the same id twice is processed once.
    public var id: String
    /// A phone number (`08…`, `628…`, `+628…`), or a gateway identity mapped in `[inbound.identities]`.
    public var sender: String
    public var text: String
    /// When the gateway received it (RFC 3339, with or without fractional seconds); kawald's clock when absent.
    public var receivedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, sender, text
        case receivedAt = "received_at"
    }

    public init(id: String, sender: String, text: String, receivedAt: Date?) {
        self.id = id
        self.sender = sender
        self.text = text
        self.receivedAt = receivedAt
    }

    /// Gateways write RFC 3339 times with and without fractional seconds; either is taken, and a
    /// time that is neither is refused naming `received_at` (a date strategy's error names no field).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        sender = try container.decode(String.self, forKey: .sender)
        text = try container.decode(String.self, forKey: .text)
        guard let time = try container.decodeIfPresent(String.self, forKey: .receivedAt) else {
            receivedAt = nil
            return
        }
        let whole = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = whole.date(from: time) ?? fractional.date(from: time) else {
            throw DecodingError.dataCorruptedError(forKey: .receivedAt, in: container, debugDescription: "expected an RFC 3339 time")
        }
        receivedAt = date
    }

    /// The message as kawald takes it: channel `webhook`, the gateway's id as the id kawald deduplicates on.
    public var message: InboundMessage {
        InboundMessage(channel: "webhook", sender: sender, text: text, gatewayID: id, receivedAt: receivedAt)
    }
}

/// webhook-inbound's answer to an accepted request (HTTP 200): kawald's inbound record and what it
/// came to, or `duplicate` for an id seen before.
public struct WebhookInboundAnswer: Codable, Sendable, Equatable {
    /// kawald's inbound record (`kawalctl inbound list`).
    public var id: Int64
    public var duplicate: Bool
    /// done, refused, unreadable, unknown_sender, rate_limited.
    public var outcome: String

    public init(id: Int64, duplicate: Bool, outcome: String) {
        self.id = id
        self.duplicate = duplicate
        self.outcome = outcome
    }

    public init(_ receipt: InboundReceipt) {
        self.init(id: receipt.id, duplicate: receipt.duplicate, outcome: receipt.outcome)
    }
}

/// webhook-inbound's answer to a refused request (4xx, 5xx): what was wrong and what would be
/// accepted, and for a bad body the field at fault. It never repeats the body.
public struct WebhookInboundRefusal: Codable, Sendable, Equatable {
    public var error: String
    public var field: String?

    public init(error: String, field: String? = nil) {
        self.error = error
        self.field = field
    }
}
