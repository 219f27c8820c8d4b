import Foundation

/// What kawald sends in a `notify.*` job's payload (docs/notifiers.md): one rendered message for one channel.
///
/// ```swift
/// let payload = try NotifyPayload(json: job.payload)
/// print(payload.messageID, payload.subject)
/// ```
public struct NotifyPayload: Codable, Sendable, Equatable {
    public struct Recipient: Codable, Sendable, Equatable {
        /// The handler's id as a string, "admin" for admin alerts.
        public var handler: String
        public var name: String?
        public var email: String?
        public var phone: String?

        public init(handler: String, name: String? = nil, email: String? = nil, phone: String? = nil) {
            self.handler = handler
            self.name = name
            self.email = email
            self.phone = phone
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

    /// Parses a job's payload; a payload that is not what kawald sends is a permanent failure that
    /// names the field (never its value).
    public init(json: String) throws(DeliveryFailure) {
        do {
            self = try JSONDecoder().decode(NotifyPayload.self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw .permanent("the payload is not a notification: \(Self.explain(error))")
        } catch {
            throw .permanent("the payload is not a notification: it is not JSON")
        }
        guard !messageID.isEmpty else { throw .permanent("the payload is not a notification: 'message_id' is empty") }
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            ((codingPath + (last.map { [$0] } ?? [])).map(\.stringValue)).joined(separator: ".")
        }
        if case .keyNotFound(let key, let context) = error { return "'\(path(context.codingPath, key))' is missing" }
        if case .typeMismatch(_, let context) = error { return "'\(path(context.codingPath))' has the wrong type" }
        if case .valueNotFound(_, let context) = error { return "'\(path(context.codingPath))' has the wrong type" }
        if case .dataCorrupted(let context) = error, !context.codingPath.isEmpty { return "'\(path(context.codingPath))' is not valid" }
        return "it is not JSON"
    }
}
