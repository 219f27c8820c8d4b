import Foundation
import KawalStore
import KawalTesting
import Testing

/// Finished jobs forget their payloads (addresses, first names, message text) after a while.
@Suite struct JobPayloadTests {
    static let payload = #"{"to":"+6281234567890","name":"Wayan","text":"Halo Wayan"}"#

    @Test func finishedJobsForgetTheirPayloadsPendingOnesKeepThem() async throws {
        let f = try StoreFixture(at: "2026-01-05")
        defer { f.cleanUp() }
        let store = f.store
        let due = StoreFixture.moment("2026-01-05")
        let done = try await store.enqueueJob(kind: "notify.sms", payload: Self.payload, dueAt: due, idempotencyKey: "notify:a:sms").id
        let dead = try await store.enqueueJob(kind: "notify.sms", payload: Self.payload, dueAt: due, idempotencyKey: "notify:b:sms").id
        let pending = try await store.enqueueJob(kind: "notify.sms", payload: Self.payload, dueAt: due, idempotencyKey: "notify:c:sms").id
        let recent = try await store.enqueueJob(kind: "notify.sms", payload: Self.payload, dueAt: due, idempotencyKey: "notify:d:sms").id
        _ = try await store.leaseJobs([done, dead, recent], owner: "sms#1", expiresAt: due.addingTimeInterval(60))
        _ = try await store.settleJobs([(done, .done), (dead, .failed(message: "no signal", retryAt: nil))], owner: "sms#1")

        // 31 days later; the recent job finished only yesterday.
        f.at("2026-02-04")
        _ = try await store.settleJobs([(recent, .done)], owner: "sms#1")
        f.at("2026-02-05")
        let forgotten = try await store.forgetFinishedJobPayloads(finishedBefore: StoreFixture.moment("2026-02-05").addingTimeInterval(-30 * 86_400))
        #expect(forgotten == 2)
        for id in [done, dead] {
            let job = try await store.job(id: id)
            #expect(job.payload == "{}" && job.payloadForgottenAt != nil, "job \(id): \(job.payload)")
            #expect(!job.payload.contains("Wayan"))
        }
        #expect(try await store.job(id: pending).payload == Self.payload)
        #expect(try await store.job(id: recent).payload == Self.payload)
        // Done once, never twice: the key still holds.
        #expect(try await store.enqueueJob(kind: "notify.sms", payload: Self.payload, dueAt: due, idempotencyKey: "notify:a:sms").created == false)
        // A dead job without its payload cannot be retried; a second sweep finds nothing new.
        await #expect(throws: StoreError.self) { try await store.retryJob(id: dead) }
        #expect(try await store.forgetFinishedJobPayloads(finishedBefore: StoreFixture.moment("2026-02-05").addingTimeInterval(-30 * 86_400)) == 0)
    }
}
