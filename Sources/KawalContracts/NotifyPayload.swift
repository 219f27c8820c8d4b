/// What kawald sends in a `notify.*` job's payload (docs/notifiers.md): one rendered message for one
/// channel. kawald's reminders, alerts and monthly reports encode it; the notifier plugins and
/// `kawalctl reminder preview` decode it.
///
/// ```json
/// {"case_codes":["K-2026-0042"],"created_at":"2026-12-01T00:00:00Z","language":"id","message_id":"r-1842-20261201T0100",
///  "purpose":"reminder","subject":"Pengingat tindak lanjut K-2026-0042","text":"Kawal: kunjungan K-2026-0042 …",
///  "to":{"handler":"12","name":"Wayan","phone":"+6281234567890"}}
/// ```
public struct NotifyPayload: Codable, Sendable, Equatable {
    /// Who the message is for: the address of the job's channel only (`email` for notify.email,
    /// `phone` otherwise).
    public struct Recipient: Codable, Sendable, Equatable {
        /// The handler's id as a string, "admin" for admin alerts.
        public var handler: String
        public var name: String?
        public var email: String?
        public var phone: String?
        /// A chat gateway's identity for the recipient (`tg:123456789`), for a reply to a handler
        /// who wrote from one: only notify-webhook uses it.
        public var identity: String?

        public init(handler: String, name: String? = nil, email: String? = nil, phone: String? = nil, identity: String? = nil) {
            self.handler = handler
            self.name = name
            self.email = email
            self.phone = phone
            self.identity = identity
        }
    }

    /// Stable across attempts, unique per message.
    public var messageID: String
    /// reminder, digest, escalation, alert or test.
    public var purpose: String
    /// "id" or "en".
    public var language: String
    public var to: Recipient
    public var subject: String
    /// Plain text, already rendered for this channel.
    public var text: String
    public var caseCodes: [String]
    /// When kawald made the message (UTC, ISO 8601).
    public var createdAt: String?

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id", purpose, language, to, subject, text, caseCodes = "case_codes", createdAt = "created_at"
    }

    public init(messageID: String, purpose: String, language: String, to: Recipient, subject: String, text: String,
                caseCodes: [String] = [], createdAt: String? = nil) {
        self.messageID = messageID
        self.purpose = purpose
        self.language = language
        self.to = to
        self.subject = subject
        self.text = text
        self.caseCodes = caseCodes
        self.createdAt = createdAt
    }

    /// Only `message_id`, `to` and `text` are required; the rest have defaults for senders other than kawald.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messageID = try container.decode(String.self, forKey: .messageID)
        purpose = try container.decodeIfPresent(String.self, forKey: .purpose) ?? "reminder"
        language = try container.decodeIfPresent(String.self, forKey: .language) ?? "id"
        to = try container.decode(Recipient.self, forKey: .to)
        subject = try container.decodeIfPresent(String.self, forKey: .subject) ?? ""
        text = try container.decode(String.self, forKey: .text)
        caseCodes = try container.decodeIfPresent([String].self, forKey: .caseCodes) ?? []
        createdAt = try container.decodeIfPresent(String.self, forKey: .createdAt)
    }
}
