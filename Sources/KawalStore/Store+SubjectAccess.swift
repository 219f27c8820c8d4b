import Foundation
import GRDB

/// Everything held about one person, for a subject access request (UU PDP: answered within 3×24 h).
public struct SubjectExport: Sendable {
    public var person: PersonRecord
    public var consents: [ConsentRecord]
    public var cases: [CaseDetail]
    /// Every audit event about the person or one of their cases, oldest first: who read or changed what.
    public var accessTrail: [AuditEvent]
}

extension Store {
    /// Everything about a person, with the trail of who accessed it. Administrators only: the whole
    /// record leaves kawald. The export itself is audited, and is the last entry of its own trail.
    public func exportPerson(id: Int64, actor: Actor) async throws -> SubjectExport {
        try actor.require(.exportPersonData)
        let now = time.now()
        return try await pool.write { db in
            guard let person = try PersonRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "person/\(id)") }
            let consents = try ConsentRecord.filter(Column("personID") == id).order(Column("id")).fetchAll(db)
            var cases: [CaseDetail] = []
            for record in try CaseRecord.filter(Column("personID") == id).order(Column("id")).fetchAll(db) {
                let history = try CaseEventRecord.filter(Column("caseID") == record.id!).order(Column("id")).fetchAll(db)
                let followUps = try FollowUpRecord.filter(Column("caseID") == record.id!).order(Column("dueAt"), Column("id")).fetchAll(db)
                    .map { FollowUpView(record: $0, caseCode: record.code, overdue: $0.status == .planned && $0.dueAt < now) }
                let referrals = try Self.referralViews(ReferralRecord.filter(Column("caseID") == record.id!).order(Column("id")).fetchAll(db), db)
                cases.append(CaseDetail(view: try Self.view(record, db), history: history, followUps: followUps, referrals: referrals))
            }
            try AuditLog.append(db, actor: actor, action: "person.export", object: "person/\(id)",
                                detail: "subject access: \(cases.count) cases, \(consents.count) consents")
            let objects = ["person/\(id)"] + cases.flatMap { ["case/\($0.view.record.code)", "case/\($0.view.record.id!)"] }
            let trail = try AuditEvent.filter(objects.contains(Column("object"))).order(Column("id")).fetchAll(db)
            return SubjectExport(person: person, consents: consents, cases: cases, accessTrail: trail)
        }
    }

    /// Restricts processing of a person's data (UU PDP): no reminders about them, not counted in
    /// reports, until lifted. The record itself stays readable to those who may read it.
    public func restrictPerson(id: Int64, reason: String, actor: Actor) async throws -> PersonRecord {
        try actor.require(.restrictProcessing)
        guard !reason.trimmingSpaces.isEmpty else {
            throw StoreError.invalid(field: "reason", message: "a restriction needs its reason, e.g. the person's request of a date")
        }
        let now = time.now()
        return try await writeWithReminders { db, jobs in
            guard var person = try PersonRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "person/\(id)") }
            person.restrictedAt = person.restrictedAt ?? now
            person.restrictionReason = reason
            person.version += 1
            person.updatedAt = now
            try person.update(db)
            try self.recomputeReminders(db, personID: id, now: now, jobs: jobs)
            try AuditLog.append(db, actor: actor, action: "person.restrict", object: "person/\(id)")
            return person
        }
    }

    public func unrestrictPerson(id: Int64, actor: Actor) async throws -> PersonRecord {
        try actor.require(.liftRestriction)
        let now = time.now()
        return try await writeWithReminders { db, jobs in
            guard var person = try PersonRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "person/\(id)") }
            guard person.restrictedAt != nil else { throw StoreError.invalid(field: "id", message: "person/\(id) is not restricted") }
            person.restrictedAt = nil
            person.restrictionReason = nil
            person.version += 1
            person.updatedAt = now
            try person.update(db)
            try self.recomputeReminders(db, personID: id, now: now, jobs: jobs)
            try AuditLog.append(db, actor: actor, action: "person.unrestrict", object: "person/\(id)")
            return person
        }
    }

    /// Whether processing of the person's data is restricted: the one question every reminder,
    /// report or other processing of a person asks (in SQL: `unrestrictedPersonSQL`).
    public func isRestricted(personID: Int64) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT restrictedAt IS NOT NULL FROM person WHERE id = ?", arguments: [personID]) ?? false
        }
    }

    /// Erases a person (UU PDP right to erasure): every case of theirs is replaced by its
    /// de-identified row, then the person, their consents and contact data are deleted. Refused
    /// while any of their cases is under legal hold. Administrators only; audited.
    public func erasePerson(id: Int64, reason: String, actor: Actor) async throws -> [String] {
        try actor.require(.erasePerson)
        guard !reason.trimmingSpaces.isEmpty else {
            throw StoreError.invalid(field: "reason", message: "an erasure needs its reason, e.g. the person's request of a date")
        }
        let now = time.now()
        let erased = try await pool.write { db in
            guard try PersonRecord.exists(db, key: id) else { throw StoreError.notFound(object: "person/\(id)") }
            let cases = try CaseRecord.filter(Column("personID") == id).order(Column("id")).fetchAll(db)
            let held = cases.filter(\.legalHold).map(\.code)
            guard held.isEmpty else { throw StoreError.legalHold(object: "person/\(id)", cases: held) }
            for record in cases { _ = try Self.deidentify(record, reason: "erasure", now: now, db) }
            try db.execute(sql: "DELETE FROM person WHERE id = ?", arguments: [id])
            try Self.forgetDeleted(db)
            // The reason stays in the audit log as the record of why the data went: the request's reference, not a name.
            try AuditLog.append(db, actor: actor, action: "person.erase", object: "person/\(id)",
                                detail: "\(cases.count) cases de-identified: \(cases.map(\.code).joined(separator: ",")); reason: \(reason)")
            return cases.map(\.code)
        }
        await emptyWriteAheadLog()
        return erased
    }
}
