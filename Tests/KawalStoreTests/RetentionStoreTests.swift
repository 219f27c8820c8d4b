import Foundation
import KawalStore
import KawalTesting
import Testing

@Suite struct RetentionStoreTests {
    let policy = RetentionPolicy(periods: ["violence": 10 * 365 * 86_400], fallback: 5 * 365 * 86_400)

    @Test func purgeDeletesExpiredPersonalDataKeepsCountsAndRespectsLegalHold() async throws {
        let f = try StoreFixture(at: "2020-01-06")
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
        let f = try StoreFixture(at: "2025-02-03")
        defer { f.cleanUp() }
        let personID = try await f.person("Rina Erase", village: "Aikmel")
        let record = try await f.openCase(personID, type: "bpjs")
        _ = try await f.store.setLegalHold(caseID: record.id!, hold: true, reason: "laporan polisi LP/77", actor: f.admin)
        await #expect(throws: StoreError.legalHold(object: "person/\(personID)", cases: [record.code])) {
            try await f.store.erasePerson(id: personID, reason: "permintaan 2025-02-03", actor: f.admin)
        }
        _ = try await f.store.setLegalHold(caseID: record.id!, hold: false, reason: nil, actor: f.admin)
        let handler = Actor(uid: 1000, pid: 2, role: .handler, handlerID: nil, label: "handler ani")
        await #expect(throws: StoreError.self) { try await f.store.erasePerson(id: personID, reason: "x", actor: handler) }
        #expect(try await f.store.erasePerson(id: personID, reason: "permintaan 2025-02-03", actor: f.admin) == [record.code])
        let figures = try await f.store.caseReportFigures(period: try f.store.time.reportPeriod("2025-02"), by: ["desa"], actor: f.admin)
        #expect(figures.groups.map(\.keys) == [["Aikmel"]])
        let erased = try await f.store.auditEvents(object: "person/\(personID)", action: "person.erase", limit: nil, after: nil, actor: f.admin)
        #expect(erased.items.count == 1)
    }
}

@Suite struct ForgettingTests {
    /// The database files as lowercase ASCII (the search index keeps words lowercased).
    func fileText(_ f: StoreFixture) -> String {
        ["kawal.db", "kawal.db-wal"].map { name in
            let bytes = FileManager.default.contents(atPath: f.directory + "/" + name) ?? Data()
            return String(decoding: bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
        }.joined()
    }

    @Test func anErasedPersonCannotBeReadInTheDatabaseFiles() async throws {
        let f = try StoreFixture(at: "2025-02-03")
        defer { f.cleanUp() }
        // Neighbours on the same pages, recorded before and after: the pages stay in use.
        for n in 0..<40 { _ = try await f.person("Tetangga Nomor\(n)", village: "Aikmel") }
        let person = try await f.store.addPerson(PersonInput(nik: "5203014101900001", name: "Zulaikha Qurratuain", sex: "female", birthDate: "1990-01-01",
                                                             village: "Aikmel", phone: "081234567899", notes: "tinggal dekat Xenopraksis"),
                                                 force: true, actor: f.admin).0
        var record = try await f.store.openCase(CaseInput(personID: person.id!, type: "document", summary: "akta kelahiran Quokkamundi"), actor: f.admin).record
        for n in 0..<40 { _ = try await f.person("Tetangga Kedua\(n)", village: "Aikmel") }
        // An edit leaves the earlier words in older segments of the search index.
        record = try await f.store.updateCase(id: record.id!, version: record.version, changes: CaseInput(notes: "dikunjungi Mbakyuwidodari"), actor: f.admin).record
        #expect(try await f.store.search("Qurratuain", limit: nil, actor: f.admin).count == 1)
        let secrets = ["qurratuain", "xenopraksis", "quokkamundi", "mbakyuwidodari", "5203014101900001", "6281234567899"]
        let before = fileText(f)
        #expect(secrets.filter { !before.contains($0) } == [], "the test's words must be in the files before the erasure")

        _ = try await f.store.erasePerson(id: person.id!, reason: "permintaan 2025-02-03 no. 7", actor: f.admin)
        let text = fileText(f)
        #expect(secrets.filter { text.contains($0) } == [], "still readable in kawal.db or its WAL after the erasure")
        #expect(text.contains("tetangga"))
        #expect(try await f.store.search("Tetangga", limit: 500, actor: f.admin).count == 80)
        #expect(try await f.store.search("Qurratuain", limit: nil, actor: f.admin).isEmpty)
        #expect(try await f.store.quickCheck().isEmpty)
    }

    @Test func aPurgedCaseCannotBeReadInTheDatabaseFiles() async throws {
        let f = try StoreFixture(at: "2019-01-07")
        defer { f.cleanUp() }
        for n in 0..<40 { _ = try await f.person("Tetangga Nomor\(n)", village: "Selong") }
        let person = try await f.person("Ruqayyah Zamharira", village: "Selong")
        let record = try await f.store.openCase(CaseInput(personID: person, type: "document", summary: "kartu keluarga Xylofonika"), actor: f.admin).record
        try await f.move(record, through: ["assessment", "resolved", "closed"])
        let before = fileText(f)
        #expect(before.contains("zamharira"))
        f.at("2025-01-08")
        let policy = RetentionPolicy(periods: [:], fallback: 5 * 365 * 86_400)
        #expect(try await f.store.purgeExpired(policy: policy, actor: f.admin).purged == [record.code])
        let text = fileText(f)
        #expect(["zamharira", "ruqayyah", "xylofonika"].filter { text.contains($0) } == [], "still readable after the purge")
        #expect(try await f.store.search("Tetangga", limit: 500, actor: f.admin).count == 40)
    }

    @Test func editsFindTheirSearchEntryByRowID() async throws {
        let f = try StoreFixture(at: "2025-02-03")
        defer { f.cleanUp() }
        let first = try await f.store.addPerson(PersonInput(name: "Baiq Satu", village: "Aikmel", notes: "catatan lama"), force: true, actor: f.admin).0
        let second = try await f.person("Baiq Dua", village: "Aikmel")
        _ = try await f.openCase(second, type: "document")
        _ = try await f.store.updatePerson(id: first.id!, version: first.version, changes: PersonInput(name: "Baiq Tiga", notes: "catatan baru"), actor: f.admin)
        #expect(try await f.store.search("Satu", limit: nil, actor: f.admin).isEmpty)
        #expect(try await f.store.search("lama", limit: nil, actor: f.admin).isEmpty)
        #expect(try await f.store.search("Tiga baru", limit: nil, actor: f.admin).map(\.id) == [first.id!])
        #expect(try await f.store.search("Baiq", limit: nil, actor: f.admin).map(\.id).sorted() == [first.id!, second])
    }
}

@Suite struct ConsentAndSubjectAccessTests {
    @Test func childrenNeedAGuardianAndReferralsNeedConsent() async throws {
        let f = try StoreFixture(at: "2025-02-03")
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
        let f = try StoreFixture(at: "2025-02-03")
        defer { f.cleanUp() }
        _ = try await f.store.addHandler(HandlerInput(code: "ani", name: "Ani Lestari", unixUser: "ani", villages: ["Sembalun"]), actor: f.admin)
        let handlerID = try await f.store.handlerID(forUnixUser: "ani")
        let handler = Actor(uid: 1001, pid: 7, role: .handler, handlerID: handlerID, label: "handler ani")
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
