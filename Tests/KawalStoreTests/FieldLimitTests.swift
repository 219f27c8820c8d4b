import Foundation
import KawalStore
import KawalTesting
import Testing

/// Free text is bounded (security review, finding 3): a value longer than its limit is refused,
/// naming the field, and nothing already stored changes.
@Suite struct FieldLimitTests {
    @Test func aTwoMillionCharacterNoteIsRefusedAndTheCaseKeepsItsNotes() async throws {
        let f = try StoreFixture(at: "2026-12-01")
        defer { f.cleanUp() }
        let kase = try await f.openCase(try await f.person("Siti Aminah", village: "Sembalun"), type: "violence")
        let kept = try await f.store.updateCase(id: kase.id!, version: kase.version, changes: CaseInput(notes: "sudah dikunjungi"), actor: f.admin)
        await #expect(throws: StoreError.invalid(field: "notes", message: "2000000 characters; at most \(FieldLimit.notes)")) {
            try await f.store.updateCase(id: kase.id!, version: kept.record.version, changes: CaseInput(notes: String(repeating: "x", count: 2_000_000)),
                                         actor: f.admin)
        }
        let now = try await f.store.caseDetail(id: kase.id!, code: nil, actor: f.admin)
        #expect(now.view.record.notes == "sudah dikunjungi" && now.view.record.version == kept.record.version)
        // At the limit is accepted.
        let full = String(repeating: "a", count: FieldLimit.notes)
        #expect(try await f.store.updateCase(id: kase.id!, version: kept.record.version, changes: CaseInput(notes: full), actor: f.admin).record.notes == full)
    }

    @Test func everyKindOfRecordNamesItsField() async throws {
        let f = try StoreFixture(at: "2026-12-01")
        defer { f.cleanUp() }
        let long = { (n: Int) in String(repeating: "y", count: n + 1) }
        await #expect(throws: StoreError.invalid(field: "name", message: "\(FieldLimit.name + 1) characters; at most \(FieldLimit.name)")) {
            try await f.store.addPerson(PersonInput(name: long(FieldLimit.name), village: "Sembalun"), force: true, actor: f.admin)
        }
        let person = try await f.person("Siti Aminah", village: "Sembalun")
        await #expect(throws: StoreError.invalid(field: "summary", message: "\(FieldLimit.summary + 1) characters; at most \(FieldLimit.summary)")) {
            try await f.store.openCase(CaseInput(personID: person, type: "violence", summary: long(FieldLimit.summary)), actor: f.admin)
        }
        await #expect(throws: StoreError.invalid(field: "reporter.name", message: "\(FieldLimit.name + 1) characters; at most \(FieldLimit.name)")) {
            try await f.store.openCase(CaseInput(personID: person, type: "violence",
                                                 reporter: Reporter(name: long(FieldLimit.name), relation: nil, phone: nil, confidential: false, anonymous: false)),
                                       actor: f.admin)
        }
        let kase = try await f.openCase(person, type: "violence")
        let followUp = try await f.store.addFollowUp(caseID: kase.id!, kind: "visit", due: "tomorrow", windowHours: nil, notes: nil, actor: f.admin)
        await #expect(throws: StoreError.invalid(field: "outcome", message: "\(FieldLimit.outcome + 1) characters; at most \(FieldLimit.outcome)")) {
            try await f.store.recordFollowUp(id: followUp.record.id!, version: nil, status: "done", outcome: long(FieldLimit.outcome), contactMade: true,
                                             notes: nil, retryDue: nil, actor: f.admin)
        }
        await #expect(throws: StoreError.invalid(field: "email", message: "\(FieldLimit.email + 1) characters; at most \(FieldLimit.email)")) {
            try await f.store.addHandler(HandlerInput(code: "ani", name: "Ani", email: long(FieldLimit.email)), actor: f.admin)
        }
    }
}

/// Reading jobs' payloads (addresses, phone numbers, message texts) is a read of personal data
/// (security review, finding 8): listed or shown, it is audited.
@Suite struct JobPayloadReadTests {
    @Test func listingOrShowingAJobIsAudited() async throws {
        let f = try StoreFixture(at: "2026-12-01")
        defer { f.cleanUp() }
        let (id, _) = try await f.store.enqueueJob(kind: "notify.sms", payload: #"{"to":{"phone":"+6281234567001"},"text":"Halo"}"#,
                                                   dueAt: Date(), idempotencyKey: "notify:x:sms")
        _ = try await f.store.jobs(state: nil, kind: nil, limit: nil, after: nil, actor: f.admin)
        #expect(try await f.store.job(id: id, actor: f.admin).payload.contains("Halo"))
        let events = try await f.store.auditEvents(object: nil, action: nil, limit: 50, after: nil, actor: f.admin).items
        #expect(events.contains { $0.action == "job.list" && $0.detail == "1 shown with their payloads" })
        #expect(events.contains { $0.action == "job.read" && $0.object == "job/\(id)" })
    }
}
