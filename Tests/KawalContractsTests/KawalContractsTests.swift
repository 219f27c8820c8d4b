import Foundation
import KawalContracts
import KawalPluginKit
import Testing
import Varlink

/// The bytes below are what kawald, KawalPluginKit and the backup plugin wrote before the wire shapes
/// became KawalContracts (captured from that code): the contracts read them, and write them again
/// byte for byte.
enum Captured {
    static let notifySMS = #"{"case_codes":["K-2026-0042"],"created_at":"2026-12-01T00:00:00Z","language":"id","message_id":"r-1842-20261201T0100","purpose":"reminder","subject":"Pengingat tindak lanjut K-2026-0042","text":"Kawal: kunjungan K-2026-0042 (Siti) 01-12-2026 09:00 WITA.","to":{"handler":"12","name":"Wayan","phone":"+6281234567890"}}"#
    static let notifyEmail = #"{"case_codes":["K-2026-0042"],"created_at":"2026-12-01T00:00:00Z","language":"id","message_id":"r-1842-20261201T0100","purpose":"reminder","subject":"Pengingat tindak lanjut K-2026-0042","text":"Halo Wayan,\n\nTindak lanjut kasus K-2026-0042 (Siti) jatuh tempo 01-12-2026 09:00 WITA: kunjungan.\n\nCatat hasilnya dengan: kawalctl followup done 7\n\n-- Kawal","to":{"email":"wayan@example.org","handler":"12","name":"Wayan"}}"#
    /// PluginChannel's io.kawal.PluginJobs.Run call, as the varlink message it sent.
    static let runCall = #"{"method":"io.kawal.PluginJobs.Run","more":true,"parameters":{"jobs":[{"attempt":2,"due_at":"2026-12-01T08:00:00+08:00","id":7,"idempotency_key":"notify:r-1842-20261201T0100:sms","kind":"notify.sms","payload":"{\"case_codes\":[\"K-2026-0042\"],\"created_at\":\"2026-12-01T00:00:00Z\",\"language\":\"id\",\"message_id\":\"r-1842-20261201T0100\",\"purpose\":\"reminder\",\"subject\":\"Pengingat tindak lanjut K-2026-0042\",\"text\":\"Kawal: kunjungan K-2026-0042 (Siti) 01-12-2026 09:00 WITA.\",\"to\":{\"handler\":\"12\",\"name\":\"Wayan\",\"phone\":\"+6281234567890\"}}"}]}}"#
    /// KawalPlugin's answer to it: an ack and a retryable failure.
    static let runReply = #"{"continues":true,"parameters":{"results":[{"id":7,"ok":true},{"error":"gammu-smsd is not running","id":8,"ok":false,"retryable":true}]}}"#
    /// Store.insertFireJob's payload; the second key has a slash, which stays unescaped.
    static let fireRemind = #"{"key":"remind:1842:1764550800000"}"#
    static let fireLate = #"{"key":"late:handler/3:1842"}"#
    /// BackupService's backup job for `kawalctl backup now`.
    static let backupNow = #"{"requested_by":"kawalctl backup now"}"#
    /// A manifest file as the backup plugin wrote it (and kawald sends it in io.kawal.Backup's `manifest`).
    static let manifest = #"""
{
  "ciphertext_bytes" : 90112,
  "ciphertext_sha256" : "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
  "compressed_bytes" : 89000,
  "compression" : "zstd",
  "compression_level" : 3,
  "counts" : {
    "caseFile" : 2,
    "followUp" : 5,
    "person" : 3
  },
  "created" : "2026-12-01T01:00:00Z",
  "encryption" : "age-encryption.org/v1 X25519",
  "file" : "kawal-20261201T010000Z.db.zst.age",
  "format" : "kawal-backup/1",
  "id" : "kawal-20261201T010000Z",
  "integrity_check" : "ok",
  "job_id" : 41,
  "plaintext_bytes" : 1048576,
  "plaintext_sha256" : "abababababababababababababababababababababababababababababababab",
  "recipients" : [
    "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"
  ],
  "schema_version" : 14,
  "tool_version" : "0.9.0"
}

"""#
}

@Suite struct NotifyPayloadContractTests {
    @Test func decodesWhatKawaldWrote() throws {
        let sms = try WireJSON.decode(NotifyPayload.self, from: Captured.notifySMS)
        #expect(sms == NotifyPayload(messageID: "r-1842-20261201T0100", purpose: "reminder", language: "id",
                                     to: .init(handler: "12", name: "Wayan", phone: "+6281234567890"),
                                     subject: "Pengingat tindak lanjut K-2026-0042", text: "Kawal: kunjungan K-2026-0042 (Siti) 01-12-2026 09:00 WITA.",
                                     caseCodes: ["K-2026-0042"], createdAt: "2026-12-01T00:00:00Z"))
        let email = try WireJSON.decode(NotifyPayload.self, from: Captured.notifyEmail)
        #expect(email.to == .init(handler: "12", name: "Wayan", email: "wayan@example.org"))
        #expect(email.text.hasPrefix("Halo Wayan,\n\nTindak lanjut"))
        #expect(WireJSON.text(sms) == Captured.notifySMS)
        #expect(WireJSON.text(email) == Captured.notifyEmail)
    }

    @Test func roundTrips() throws {
        let payload = NotifyPayload(messageID: "a-backup_failed-1-1", purpose: "alert", language: "en", to: .init(handler: "admin", email: "ops@example.org"),
                                    subject: "Kawal alert", text: "Backup failed: \"disk full\" / 100%", caseCodes: [], createdAt: nil)
        #expect(try WireJSON.decode(NotifyPayload.self, from: WireJSON.text(payload)) == payload)
    }

    @Test func defaultsForOtherSenders() throws {
        let minimal = try WireJSON.decode(NotifyPayload.self, from: #"{"message_id":"m","to":{"handler":"1"},"text":"t"}"#)
        #expect(minimal.purpose == "reminder" && minimal.language == "id" && minimal.subject == "" && minimal.caseCodes.isEmpty)
    }
}

@Suite struct PluginJobContractTests {
    @Test func decodesTheRunCallKawaldSent() throws {
        let call = try VarlinkCall(message: JSONValue(parsing: Captured.runCall))
        #expect(call.method == "io.kawal.PluginJobs.Run" && call.more)
        let jobs = try #require(call.parameters["jobs"]).decode([JobOffer].self)
        #expect(jobs == [JobOffer(id: 7, kind: "notify.sms", payload: Captured.notifySMS, idempotencyKey: "notify:r-1842-20261201T0100:sms",
                                  attempt: 2, dueAt: "2026-12-01T08:00:00+08:00")])
        // The same value goes out again, so the same bytes (varlink sorts keys too).
        let again = VarlinkCall(method: "io.kawal.PluginJobs.Run", parameters: ["jobs": JSONValue(wire: jobs)], more: true)
        #expect(again.message.jsonString == Captured.runCall)
    }

    @Test func decodesTheResultsPluginsSent() throws {
        let reply = try VarlinkReply(message: JSONValue(parsing: Captured.runReply))
        let results = try #require(reply.parameters["results"]).decode([JobResult].self)
        #expect(results == [.done(7), .failed(8, "gammu-smsd is not running", retryable: true)])
        #expect(VarlinkReply(parameters: ["results": JSONValue(wire: results)], continues: true).message.jsonString == Captured.runReply)
    }

    @Test func roundTrips() throws {
        let offer = JobOffer(id: 1, kind: "backup", payload: "{}", idempotencyKey: "backup-now:1", attempt: 1, dueAt: "2026-12-01T01:00:00+08:00")
        #expect(try JSONValue(wire: offer).decode(JobOffer.self) == offer)
        #expect(try WireJSON.decode(JobOffer.self, from: WireJSON.text(offer)) == offer)
        for result in [JobResult.done(3), .failed(4, "no signal", retryable: false), .failed(5, "later", retryable: true)] {
            #expect(try JSONValue(wire: result).decode(JobResult.self) == result)
        }
    }

    @Test func aResultWithoutRetryableIsNotRetried() throws {
        // Other plugins (plugins/examples/sink.py) may leave out what the IDL makes optional.
        #expect(try WireJSON.decode(JobResult.self, from: #"{"id":9,"ok":false}"#) == JobResult(id: 9, ok: false, retryable: false, error: nil))
    }
}

@Suite struct JobPayloadContractTests {
    @Test func decodesTheFirePayloadTheStoreWrote() throws {
        for (text, key) in [(Captured.fireRemind, "remind:1842:1764550800000"), (Captured.fireLate, "late:handler/3:1842")] {
            let payload = try WireJSON.decode(ReminderFirePayload.self, from: text)
            #expect(payload == ReminderFirePayload(key: key))
            #expect(WireJSON.text(payload) == text)
        }
    }

    @Test func decodesTheBackupJobPayload() throws {
        #expect(try WireJSON.decode(BackupJobPayload.self, from: Captured.backupNow) == .backupNow)
        #expect(WireJSON.text(BackupJobPayload.backupNow) == Captured.backupNow)
        // A timer's backup job carries its own payload, "{}" by default.
        #expect(try WireJSON.decode(BackupJobPayload.self, from: "{}") == BackupJobPayload(requestedBy: nil))
    }
}

@Suite struct BackupManifestContractTests {
    static let sample = BackupManifest(id: "kawal-20261201T010000Z", file: "kawal-20261201T010000Z.db.zst.age", created: "2026-12-01T01:00:00Z",
                                       plaintextBytes: 1_048_576, plaintextSHA256: String(repeating: "ab", count: 32), ciphertextBytes: 90_112,
                                       ciphertextSHA256: String(repeating: "cd", count: 32), compressedBytes: 89_000, compressionLevel: 3,
                                       recipients: ["age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"], schemaVersion: 14,
                                       counts: ["person": 3, "caseFile": 2, "followUp": 5], integrityCheck: "ok", toolVersion: "0.9.0", jobID: 41)

    @Test func decodesTheFileThePluginWrote() throws {
        #expect(try WireJSON.decode(BackupManifest.self, from: Captured.manifest) == Self.sample)
        #expect(String(decoding: Self.sample.fileContents, as: UTF8.self) == Captured.manifest)
    }

    @Test func roundTrips() throws {
        var manifest = Self.sample
        manifest.jobID = nil
        #expect(try WireJSON.decode(BackupManifest.self, from: manifest.fileContents) == manifest)
        #expect(try WireJSON.decode(BackupManifest.self, from: WireJSON.text(manifest)) == manifest)
    }
}

@Suite struct MalformedContractTests {
    func problem<T: Decodable>(_ type: T.Type, _ text: String) -> String? {
        do {
            _ = try WireJSON.decode(type, from: text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func theErrorNamesTheFieldNeverTheValue() {
        #expect(problem(NotifyPayload.self, #"{"message_id":"m","to":{"phone":"+6281234567890"},"text":"t"}"#) == "'to.handler' is missing")
        #expect(problem(NotifyPayload.self, #"{"message_id":"m","to":{"handler":"1"},"text":"t","case_codes":["K-1",2]}"#)
            == "'case_codes[1]' has the wrong type")
        #expect(problem(ReminderFirePayload.self, #"{"key":1842}"#) == "'key' has the wrong type")
        #expect(problem(ReminderFirePayload.self, "{}") == "'key' is missing")
        #expect(problem(JobResult.self, #"{"id":7}"#) == "'ok' is missing")
        #expect(problem([JobOffer].self, #"[{"id":7,"kind":"k","payload":"{}","idempotency_key":"x","attempt":"2","due_at":"d"}]"#)
            == "'[0].attempt' has the wrong type")
        #expect(problem(BackupManifest.self, Captured.manifest.replacingOccurrences(of: #""ciphertext_sha256" : "#, with: #""sha" : "#))
            == "'ciphertext_sha256' is missing")
        #expect(problem(BackupJobPayload.self, "not json") == "it is not JSON")
        #expect(problem(JobResult.self, "[]") == "the value has the wrong type")
    }

    @Test func throughTheVarlinkBridgeToo() {
        let results: JSONValue = [["id": 1, "ok": true], ["id": 2, "ok": "yes"]]
        #expect(throws: WireDecodingError(field: "[1].ok", problem: .wrongType)) { try results.decode([JobResult].self) }
    }
}
