import Foundation
import KawalStore
import Testing
@testable import KawalDaemon

@Suite struct RetentionStoreTests {
    let policy = RetentionPolicy(periods: ["violence": 10 * 365 * 86_400], fallback: 5 * 365 * 86_400)

    @Test func purgeDeletesExpiredPersonalDataKeepsCountsAndRespectsLegalHold() async throws {
        let f = try PrivacyFixture(at: "2020-01-06")
        defer { f.cleanUp() }
        let expiredPerson = try await f.person("Ina Expired", village: "Sembalun")
        let expired = try await f.store.openCase(CaseInput(personID: expiredPerson, type: "document", summary: "rumah dekat masjid"), actor: f.admin).record
        #expect(try await f.store.search("masjid", limit: nil, actor: f.admin).count == 1)
        _ = try await f.store.addFollowUp(caseID: expired.id!, kind: "visit", due: "+1d", windowHours: nil, notes: nil, actor: f.admin)
        try await f.move(expired, through: ["assessment", "resolved", "closed"])
        let heldPerson = try await f.person("Hana Held", village: "Sembalun")
        let held = try await f.openCase(heldPerson, type: "document")
        try await f.move(held, through: ["assessment", "resolved", "closed"])
        _ = try await f.store.setLegalHold(caseID: held.id!, hold: true, reason: "perkara 12/Pid/2020", actor: f.admin)
        let violencePerson = try await f.person("Vina Violence", village: "Selong")
        let violence = try await f.openCase(violencePerson, type: "violence", form: "fisik")
        try await f.move(violence, through: ["assessment", "resolved", "closed"])

        // Five years and a day later: the document cases are due, the violence case (10 years) is not.
        f.at("2025-01-07")
        let plan = try await f.store.retentionPlan(policy: policy, actor: f.admin)
        #expect(plan.map(\.code) == [expired.code, held.code, violence.code])
        #expect(plan.map(\.due) == [true, false, false])
        #expect(plan[1].legalHold)

        let outcome = try await f.store.purgeExpired(policy: policy, actor: f.admin)
        #expect(outcome.purged == [expired.code])
        #expect(outcome.held == [held.code])
        #expect(outcome.peopleRemoved == 1)
        await #expect(throws: StoreError.notFound(object: "person/\(expiredPerson)")) {
            try await f.store.person(id: expiredPerson, reveal: false, actor: f.admin)
        }
        #expect(try await f.store.search("masjid", limit: nil, actor: f.admin).isEmpty)
        // The purge is audited per case, and the chain still verifies.
        let events = try await f.store.auditEvents(object: "case/\(expired.code)", action: "retention.purge", limit: nil, after: nil, actor: f.admin)
        #expect(events.items.count == 1)
        #expect(try await f.store.verifyAudit(actor: f.admin).firstBroken == nil)
        // Past reports still count the purged case, de-identified.
        let january = try f.store.time.reportPeriod("2020-01")
        let figures = try await f.store.caseReportFigures(period: january, by: ["desa", "type"], actor: f.admin)
        #expect(figures.groups.first { $0.keys == ["Sembalun", "document"] }?.opened == 2)
        #expect(figures.violenceForms.map(\.0) == ["fisik"])

        // Purging again changes nothing; lifting the hold lets the next purge take the held case.
        #expect(try await f.store.purgeExpired(policy: policy, actor: f.admin).purged.isEmpty)
        _ = try await f.store.setLegalHold(caseID: held.id!, hold: false, reason: "perkara selesai", actor: f.admin)
        #expect(try await f.store.purgeExpired(policy: policy, actor: f.admin).purged == [held.code])
        f.at("2030-01-08")
        #expect(try await f.store.purgeExpired(policy: policy, actor: f.admin).purged == [violence.code])
        let after = try await f.store.caseReportFigures(period: january, by: ["type"], actor: f.admin)
        #expect(after.groups.map(\.opened).reduce(0, +) == 3)
    }

    @Test func eraseIsRefusedUnderLegalHoldAndKeepsCounts() async throws {
        let f = try PrivacyFixture(at: "2025-02-03")
        defer { f.cleanUp() }
        let personID = try await f.person("Rina Erase", village: "Aikmel")
        let record = try await f.openCase(personID, type: "bpjs")
        _ = try await f.store.setLegalHold(caseID: record.id!, hold: true, reason: "laporan polisi LP/77", actor: f.admin)
        await #expect(throws: StoreError.legalHold(object: "person/\(personID)", cases: [record.code])) {
            try await f.store.erasePerson(id: personID, reason: "permintaan 2025-02-03", actor: f.admin)
        }
        _ = try await f.store.setLegalHold(caseID: record.id!, hold: false, reason: nil, actor: f.admin)
        let handler = Actor(uid: 1000, pid: 2, role: "handler", handlerID: nil, label: "handler ani")
        await #expect(throws: StoreError.self) { try await f.store.erasePerson(id: personID, reason: "x", actor: handler) }
        #expect(try await f.store.erasePerson(id: personID, reason: "permintaan 2025-02-03", actor: f.admin) == [record.code])
        let figures = try await f.store.caseReportFigures(period: try f.store.time.reportPeriod("2025-02"), by: ["desa"], actor: f.admin)
        #expect(figures.groups.map(\.keys) == [["Aikmel"]])
        let erased = try await f.store.auditEvents(object: "person/\(personID)", action: "person.erase", limit: nil, after: nil, actor: f.admin)
        #expect(erased.items.count == 1)
    }
}

@Suite struct ConsentAndSubjectAccessTests {
    @Test func childrenNeedAGuardianAndReferralsNeedConsent() async throws {
        let f = try PrivacyFixture(at: "2025-02-03")
        defer { f.cleanUp() }
        let child = try await f.person("Anak Sembilan", village: "Sembalun", birth: "2015-06-01")
        await #expect(throws: StoreError.self) {
            try await f.store.addConsent(personID: child, purpose: "referral", method: "written", givenOn: nil, givenBy: nil,
                                         guardianName: nil, proofRef: "F-1", note: nil, actor: f.admin)
        }
        await #expect(throws: StoreError.invalid(field: "guardian_name", message: "consent given by a guardian needs the guardian's name")) {
            try await f.store.addConsent(personID: child, purpose: "referral", method: "written", givenOn: nil, givenBy: "guardian",
                                         guardianName: nil, proofRef: "F-1", note: nil, actor: f.admin)
        }
        await #expect(throws: StoreError.self) {
            try await f.store.addConsent(personID: child, purpose: "referral", method: "verbal", givenOn: nil, givenBy: "guardian",
                                         guardianName: "Ibu Sari", proofRef: "F-1", note: nil, actor: f.admin)
        }
        // The older way of recording consent keeps the same rule.
        await #expect(throws: StoreError.self) {
            try await f.store.recordConsent(personID: child, purpose: "referral", granted: true, method: "thumbprint", note: nil, actor: f.admin)
        }
        let record = try await f.openCase(child, type: "document")
        await #expect(throws: StoreError.self) {
            try await f.store.addReferral(caseID: record.id!, service: "dukcapil", consent: "given", overrideReason: nil, externalRef: nil,
                                          deadline: nil, notes: nil, actor: f.admin)
        }
        let consent = try await f.store.addConsent(personID: child, purpose: "referral:dukcapil", method: "written", givenOn: "2025-02-01",
                                                   givenBy: "guardian", guardianName: "Ibu Sari", proofRef: "F-1", note: nil, actor: f.admin)
        #expect(consent.givenBy == "guardian" && consent.givenOn == "2025-02-01")
        _ = try await f.store.addReferral(caseID: record.id!, service: "dukcapil", consent: "given", overrideReason: nil, externalRef: nil,
                                          deadline: nil, notes: nil, actor: f.admin)
        // Consent for Dukcapil does not cover Dinsos; a withdrawn consent covers nothing.
        await #expect(throws: StoreError.self) {
            try await f.store.addReferral(caseID: record.id!, service: "dinsos", consent: "given", overrideReason: nil, externalRef: nil,
                                          deadline: nil, notes: nil, actor: f.admin)
        }
        _ = try await f.store.withdrawConsent(id: consent.id!, reason: "ibu menarik persetujuan", actor: f.admin)
        await #expect(throws: StoreError.self) {
            try await f.store.addReferral(caseID: record.id!, service: "dukcapil", consent: "given", overrideReason: nil, externalRef: nil,
                                          deadline: nil, notes: nil, actor: f.admin)
        }
        // The override remains, with its reason, audited as such.
        _ = try await f.store.addReferral(caseID: record.id!, service: "uptd-ppa", consent: "override", overrideReason: "anak dalam bahaya",
                                          externalRef: nil, deadline: nil, notes: nil, actor: f.admin)
        let overrides = try await f.store.auditEvents(object: "case/\(record.code)", action: "referral.add_consent_override", limit: nil,
                                                      after: nil, actor: f.admin)
        #expect(overrides.items.count == 1)
        #expect(try await f.store.consents(personID: child, purpose: nil, activeOnly: true, actor: f.admin).isEmpty)
        #expect(try await f.store.consents(personID: child, purpose: nil, activeOnly: false, actor: f.admin).count == 1)
    }

    @Test func exportHoldsEveryRecordAndTheAccessTrail() async throws {
        let f = try PrivacyFixture(at: "2025-02-03")
        defer { f.cleanUp() }
        _ = try await f.store.addHandler(HandlerInput(code: "ani", name: "Ani Lestari", unixUser: "ani", villages: ["Sembalun"]), actor: f.admin)
        let handlerID = try await f.store.handlerID(forUnixUser: "ani")
        let handler = Actor(uid: 1001, pid: 7, role: "handler", handlerID: handlerID, label: "handler ani")
        let personID = try await f.store.addPerson(PersonInput(nik: "5203015708450001", name: "Siti Aminah", sex: "female", birthDate: "1945-08-17",
                                                               village: "Sembalun", phone: "081234567890"), force: false, actor: f.admin).0.id!
        _ = try await f.store.addConsent(personID: personID, purpose: "referral", method: "recorded", givenOn: nil, givenBy: nil, guardianName: nil,
                                         proofRef: "rekaman-031.m4a", note: nil, actor: f.admin)
        let record = try await f.store.openCase(CaseInput(personID: personID, type: "document", summary: "Akta hilang", handler: "ani"), actor: f.admin).record
        _ = try await f.store.addFollowUp(caseID: record.id!, kind: "visit", due: "+3d", windowHours: 24, notes: nil, actor: f.admin)
        _ = try await f.store.addReferral(caseID: record.id!, service: "dukcapil", consent: "given", overrideReason: nil, externalRef: nil,
                                          deadline: nil, notes: nil, actor: f.admin)
        _ = try await f.store.person(id: personID, reveal: false, actor: handler)
        _ = try await f.store.caseDetail(id: record.id!, code: nil, actor: handler)

        await #expect(throws: StoreError.self) { try await f.store.exportPerson(id: personID, actor: handler) }
        let export = try await f.store.exportPerson(id: personID, actor: f.admin)
        #expect(export.person.nik == "5203015708450001")
        #expect(export.person.phone == "+6281234567890")
        #expect(export.consents.map(\.proofRef) == ["rekaman-031.m4a"])
        #expect(export.cases.count == 1)
        #expect(export.cases[0].followUps.count == 1)
        #expect(export.cases[0].referrals.map(\.serviceCode) == ["dukcapil"])
        #expect(export.cases[0].history.map(\.kind).contains("opened"))
        let trail = export.accessTrail.map { "\($0.actorRole) \($0.action)" }
        for expected in ["admin person.create", "admin consent.add", "admin case.open", "handler person.read", "handler case.read"] {
            #expect(trail.contains(expected), "\(expected) missing from \(trail)")
        }
        #expect(trail.last == "admin person.export")
    }
}
