import Foundation

/// A message a handler sent, as an inbound plugin hands it to kawald: `io.kawal.Inbound.Receive`'s
/// `message`. kawald decides everything else.
public struct InboundMessage: Codable, Sendable, Equatable {
    /// `sms` or `webhook`.
    public var channel: String
    /// A phone number (`08…`, `628…`, `+628…`), or a gateway identity an administrator mapped to a handler.
    public var sender: String
    public var text: String
    /// The gateway's id for the message (gammu's inbox file name, a chat gateway's message id): a
    /// message delivered twice is processed once.
    public var gatewayID: String?
    /// When the gateway received it; kawald's clock when absent.
    public var receivedAt: Date?

    enum CodingKeys: String, CodingKey {
        case channel, sender, text
        case gatewayID = "gateway_id"
        case receivedAt = "received_at"
    }

    public init(channel: String, sender: String, text: String, gatewayID: String?, receivedAt: Date?) {
        self.channel = channel
        self.sender = sender
        self.text = text
        self.gatewayID = gatewayID
        self.receivedAt = receivedAt
    }

    public static let channels = ["sms", "webhook"]
}

/// kawald's answer to `io.kawal.Inbound.Receive`.
public struct InboundReceipt: Codable, Sendable, Equatable {
    /// The inbound record's id (`kawalctl inbound list`).
    public var id: Int64
    /// The same message was received before: nothing was done again.
    public var duplicate: Bool
    /// done, refused, unreadable, unknown_sender, rate_limited.
    public var outcome: String
    /// A reply was queued for the sender.
    public var replyQueued: Bool

    enum CodingKeys: String, CodingKey {
        case id, duplicate, outcome
        case replyQueued = "reply_queued"
    }

    public init(id: Int64, duplicate: Bool, outcome: String, replyQueued: Bool) {
        self.id = id
        self.duplicate = duplicate
        self.outcome = outcome
        self.replyQueued = replyQueued
    }
}
