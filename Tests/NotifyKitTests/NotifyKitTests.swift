import Crypto
import Foundation
import KawalContracts
import KawalPluginKit
import NotifyKit
import Testing

struct NotifyPayloadTests {
    static let sample = """
        {"message_id": "r-1842-20261201T0100", "purpose": "reminder", "language": "id",
         "to": {"handler": "12", "name": "Wayan", "email": "wayan@example.org", "phone": "081234567890"},
         "subject": "Pengingat tindak lanjut KWL-2026-0042", "text": "Halo Wayan", "case_codes": ["KWL-2026-0042"],
         "created_at": "2026-12-01T01:00:00Z"}
        """

    @Test func parsesTheContract() throws {
        let payload = try NotifyPayload(json: Self.sample)
        #expect(payload.messageID == "r-1842-20261201T0100")
        #expect(payload.to == .init(handler: "12", name: "Wayan", email: "wayan@example.org", phone: "081234567890"))
        #expect(payload.caseCodes == ["KWL-2026-0042"])
    }

    @Test func badPayloadsNameTheFieldNotTheValue() {
        for (json, expected) in [
            ("{}", "'message_id' is missing"),
            ("not json", "it is not JSON"),
            (#"{"message_id": "m", "to": {"handler": "1"}, "text": 5}"#, "'text' has the wrong type"),
            (#"{"message_id": "m", "to": {"email": "secret@example.org"}, "text": "t"}"#, "'to.handler' is missing"),
        ] {
            do {
                _ = try NotifyPayload(json: json)
                Issue.record("accepted \(json)")
            } catch {
                #expect(error.message.contains(expected), "\(error.message)")
                #expect(!error.retryable)
                #expect(!error.message.contains("secret@"))
            }
        }
    }
}

struct WebhookRequestTests {
    @Test func signatureIsHMACOverTimestampDotBody() throws {
        let payload = try NotifyPayload(json: NotifyPayloadTests.sample)
        let secret = Array("0123456789abcdef0123456789abcdef".utf8)
        let request = try WebhookRequest(payload: payload, idempotencyKey: "notify:r-1842-20261201T0100:webhook", secret: secret, timestamp: 1_796_086_800)
        let headers = Dictionary(uniqueKeysWithValues: request.headers)
        #expect(headers["X-Kawal-Timestamp"] == "1796086800")
        #expect(headers["Idempotency-Key"] == "notify:r-1842-20261201T0100:webhook")
        let expected = HMAC<SHA256>.authenticationCode(for: Array("1796086800.".utf8) + request.body, using: SymmetricKey(data: secret))
        #expect(headers["X-Kawal-Signature"] == "sha256=" + expected.map { String(format: "%02x", $0) }.joined())
        let body = try JSONSerialization.jsonObject(with: Data(request.body)) as! [String: Any]
        #expect(Set(body.keys) == ["message_id", "purpose", "language", "to", "subject", "text", "case_codes"])
        #expect((body["to"] as! [String: Any])["phone"] as? String == "+6281234567890", "the phone is normalised")
        #expect((body["to"] as! [String: Any])["email"] == nil, "only what the gateway needs")
    }

    @Test func statusCodesDecideRetries() {
        #expect(WebhookRequest.outcome(status: 200) == nil)
        #expect(WebhookRequest.outcome(status: 204) == nil)
        for status in [408, 429, 500, 502, 503] { #expect(WebhookRequest.outcome(status: status)?.retryable == true) }
        for status in [301, 400, 401, 403, 404, 410, 422] { #expect(WebhookRequest.outcome(status: status)?.retryable == false) }
    }

    @Test func secretsComeFromCredentialsOrFilesOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cred-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "s3cret-s3cret-s3cret\n".write(toFile: folder + "/webhook-secret", atomically: true, encoding: .utf8)
        #expect(try Secret.read(credential: "webhook-secret", file: nil, environment: ["CREDENTIALS_DIRECTORY": folder]) == Array("s3cret-s3cret-s3cret".utf8))
        #expect(throws: Secret.Missing.self) { try Secret.read(credential: "webhook-secret", file: nil, environment: [:]) }
        try "short".write(toFile: folder + "/short", atomically: true, encoding: .utf8)
        chmod(folder + "/short", 0o600)
        #expect(throws: Secret.Missing.self) { try Secret.read(credential: nil, file: folder + "/short", environment: [:]) }
        try "s3cret-s3cret-s3cret".write(toFile: folder + "/file", atomically: true, encoding: .utf8)
        chmod(folder + "/file", 0o644)
        let readable = #expect(throws: Secret.Missing.self) { try Secret.read(credential: nil, file: folder + "/file", environment: [:]) }
        #expect(readable?.description == "the secret in \(folder)/file is readable by every user (mode 644): chmod 0600 it")
        chmod(folder + "/file", 0o640)
        #expect(try Secret.read(credential: nil, file: folder + "/file", environment: [:]) == Array("s3cret-s3cret-s3cret".utf8))
    }

    @Test func aSignatureIsCheckedInBothDirectionsByOneDefinition() {
        let secret = Array("0123456789abcdef0123456789abcdef".utf8)
        let body = Array(#"{"id":"m-1","sender":"+6281234567001","text":"SELESAI 12"}"#.utf8)
        let header = "sha256=" + WebhookRequest.signature(body: body, timestamp: 1_796_086_800, secret: secret)
        #expect(WebhookRequest.isSigned(body: body, timestamp: 1_796_086_800, header: header, secret: secret))
        #expect(WebhookRequest.isSigned(body: body, timestamp: 1_796_086_800, header: header.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="), secret: secret))
        #expect(!WebhookRequest.isSigned(body: body, timestamp: 1_796_086_801, header: header, secret: secret), "the timestamp is signed")
        #expect(!WebhookRequest.isSigned(body: body + [0x20], timestamp: 1_796_086_800, header: header, secret: secret), "so is every byte of the body")
        #expect(!WebhookRequest.isSigned(body: body, timestamp: 1_796_086_800, header: header, secret: Array("another-secret-of-32-bytes-long!".utf8)))
        for malformed in ["", "sha256=", String(header.dropLast(2)), "sha1=" + header.dropFirst(7), header + "00", "sha256=" + String(repeating: "zz", count: 32)] {
            #expect(!WebhookRequest.isSigned(body: body, timestamp: 1_796_086_800, header: malformed, secret: secret), "\(malformed)")
        }
    }
}

struct RedactionTests {
    @Test func addressesAndNumbersAreHidden() {
        #expect(Redaction.scrub("msmtp: recipient address wayan@example.org not accepted by the server")
            == "msmtp: recipient address <address> not accepted by the server")
        #expect(Redaction.scrub("cannot send to +62 812-3456-7890, giving up") == "cannot send to <number>, giving up")
        #expect(Redaction.scrub("exit status 75 after 3 tries") == "exit status 75 after 3 tries")
        #expect(Redaction.scrub("Halo Wayan, kunjungi besok", hiding: ["Halo Wayan, kunjungi besok"]) == "<hidden>")
    }

    /// kawald's filter of plugin output keeps ids, dates and counts (under 9 digits).
    @Test func kawaldsFilterKeepsShortNumbers() {
        #expect(Redaction.scrub("backup kawal-20261202T010000Z written: 1024.0 MiB, job 123456", minimumDigits: 9)
            == "backup kawal-20261202T010000Z written: 1024.0 MiB, job 123456")
        #expect(Redaction.scrub("NIK 5203012345678901, HP 081234567890", minimumDigits: 9) == "NIK <number>, HP <number>")
        #expect(Redaction.scrub("call 0812.3456.7890 or (0376) 21234567 today", minimumDigits: 9) == "call <number> or <number> today")
    }
}

struct PluginLogLevelTests {
    @Test func prefixesAreReadAndWritten() {
        #expect(PluginLogLevel.format("a\nb", level: .error) == "<3>a b\n")
        #expect(PluginLogLevel.parse("<3>backup failed") == (.error, "backup failed"))
        #expect(PluginLogLevel.parse("<7>") == (.debug, ""))
        #expect(PluginLogLevel.parse("<0>panic") == (.critical, "panic"))
        #expect(PluginLogLevel.parse("<8>not a level") == (.notice, "<8>not a level"))
        #expect(PluginLogLevel.parse("<x>text") == (.notice, "<x>text"))
        #expect(PluginLogLevel.parse("plain") == (.notice, "plain"))
        #expect(PluginLogLevel.parse("<3") == (.notice, "<3"))
    }
}

struct DeliveredKeysTests {
    @Test func keysSurviveARestartAndStayBounded() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID())").path
        defer { unlink(path); unlink(path + ".new") }
        let keys = try DeliveredKeys(path: path, capacity: 3)
        for key in ["a", "b", "c", "d"] { try keys.insert(key) }
        #expect(!keys.contains("a"), "the oldest is forgotten")
        #expect(keys.contains("d"))
        let reopened = try DeliveredKeys(path: path, capacity: 3)
        #expect(["b", "c", "d"].allSatisfy(reopened.contains))
        #expect(!reopened.contains("a"))
        for key in (0..<20).map(String.init) { try reopened.insert(key) }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count < 6, "the file is compacted")
        #expect(try DeliveredKeys(path: path, capacity: 3).contains("19"))
    }

    @Test func withoutAFileKeysLiveInMemory() throws {
        let keys = try DeliveredKeys(path: nil, capacity: 2)
        try keys.insert("x")
        #expect(keys.contains("x"))
        #expect(keys.count == 1)
    }
}
