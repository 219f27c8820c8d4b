import Crypto
import Foundation
import KawalContracts

/// What notify-webhook POSTs: a JSON body, signed so that the gateway can tell it comes from this
/// Kawal and is fresh.
///
/// `X-Kawal-Signature: sha256=<hex>` is HMAC-SHA256 with the shared secret over
/// `"<X-Kawal-Timestamp>.<body>"` (the timestamp in unix seconds, a dot, the body's exact bytes).
/// The gateway recomputes it, compares in constant time, and refuses timestamps far from its clock.
///
/// ```swift
/// let request = try WebhookRequest(payload: payload, idempotencyKey: job.idempotencyKey, secret: secret, timestamp: 1_796_086_800)
/// request.headers   // X-Kawal-Timestamp, X-Kawal-Signature, Idempotency-Key, Content-Type
/// ```
public struct WebhookRequest: Sendable {
    /// The payload less what a gateway does not need: `to` keeps the handler and the phone (normalised), not the e-mail or name.
    public struct Body: Codable, Sendable, Equatable {
        public var messageID: String
        public var purpose: String
        public var language: String
        public var to: NotifyPayload.Recipient
        public var subject: String
        public var text: String
        public var caseCodes: [String]

        enum CodingKeys: String, CodingKey {
            case messageID = "message_id", purpose, language, to, subject, text, caseCodes = "case_codes"
        }
    }

    public let body: [UInt8]
    public let headers: [(String, String)]

    public init(payload: NotifyPayload, idempotencyKey: String, secret: [UInt8], timestamp: Int64) throws(DeliveryFailure) {
        var phone: String?
        if let raw = payload.to.phone, !raw.isEmpty { phone = try PhoneNumber.normalise(raw) }
        let body = Body(messageID: payload.messageID, purpose: payload.purpose, language: payload.language,
                        to: .init(handler: payload.to.handler, phone: phone, identity: payload.to.identity), subject: payload.subject, text: payload.text,
                        caseCodes: payload.caseCodes)
        self.body = Array(WireJSON.encode(body))
        headers = [
            ("Content-Type", "application/json"),
            ("X-Kawal-Timestamp", String(timestamp)),
            ("X-Kawal-Signature", "sha256=" + Self.signature(body: self.body, timestamp: timestamp, secret: secret)),
            ("Idempotency-Key", idempotencyKey.isEmpty ? "notify:\(payload.messageID):webhook" : idempotencyKey),
        ]
    }

    /// Hex HMAC-SHA256 over `"<timestamp>.<body>"`.
    public static func signature(body: [UInt8], timestamp: Int64, secret: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: signed(body: body, timestamp: timestamp), using: SymmetricKey(data: secret))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `header` (`sha256=<hex>`, as `X-Kawal-Signature` carries it) signs `body` at
    /// `timestamp`: what webhook-inbound checks of a gateway's request. The comparison takes the
    /// same time wherever the codes differ.
    ///
    /// ```swift
    /// WebhookRequest.isSigned(body: body, timestamp: 1_796_086_800, header: "sha256=" + signature, secret: secret)   // true
    /// ```
    public static func isSigned(body: [UInt8], timestamp: Int64, header: String, secret: [UInt8]) -> Bool {
        guard header.hasPrefix("sha256="), let code = hexBytes(header.dropFirst(7)), code.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: signed(body: body, timestamp: timestamp), using: SymmetricKey(data: secret))
    }

    /// What is signed: `"<timestamp>.<body>"`, the body's exact bytes.
    static func signed(body: [UInt8], timestamp: Int64) -> [UInt8] {
        Array("\(timestamp).".utf8) + body
    }

    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// What a response status means for the job: 2xx delivered; 408, 429 and 5xx worth another try; the rest refused.
    public static func outcome(status: Int) -> DeliveryFailure? {
        switch status {
        case 200..<300: return nil
        case 408, 429, 500..<600: return .temporary("the webhook answered HTTP \(status)")
        case 300..<400: return .permanent("the webhook answered HTTP \(status) (redirects are not followed: configure the final URL)")
        default: return .permanent("the webhook refused the message with HTTP \(status)")
        }
    }
}
