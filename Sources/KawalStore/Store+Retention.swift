import Foundation
import GRDB

/// How long a finished case's personal data is kept after it was closed, per case type.
public struct RetentionPolicy: Sendable, Equatable {
    /// Seconds, by case type.
    public var periods: [String: TimeInterval]
    /// For types not listed.
    public var fallback: TimeInterval

    public init(periods: [String: TimeInterval] = [:], fallback: TimeInterval = 5 * 365 * 86_400) {
        self.periods = periods
        self.fallback = fallback
    }

    public func period(for type: String) -> TimeInterval { periods[type] ?? fallback }
}

/// A finished case and the day its personal data is due to go.
public struct PlannedPurge: Sendable, Equatable {
    public var caseID: Int64
    public var code: String
    public var type: String
    public var village: String
    public var closedAt: Date
    public var purgeAt: Date
    public var legalHold: Bool
    /// True when the day has come (and no hold stops it).
    public var due: Bool
}

public struct PurgeOutcome: Sendable, Equatable {
    /// Case codes whose personal data was deleted.
    public var purged: [String]
    /// Due, but kept under legal hold.
    public var held: [String]
    /// People deleted with their last case.
    public var peopleRemoved: Int
}

extension Store {
    /// When a case counts as finished for retention: its closing, or for a withdrawn case its last change.
    static let finishedCaseSQL = "status IN ('closed', 'withdrawn')"

    /// Finished cases and the day each is due to be purged, soonest first.
    public func retentionPlan(policy: RetentionPolicy, actor: Actor) async throws -> [PlannedPurge] {
        try actor.require(.readRetentionPlan)
        let now = time.now()
        return try await pool.write { db in
            let plan = try Self.retentionPlan(policy: policy, now: now, db)
            try AuditLog.append(db, actor: actor, action: "retention.plan", object: "case", detail: "\(plan.count) finished cases")
            return plan
        }
    }

    static func retentionPlan(policy: RetentionPolicy, now: Date, _ db: Database) throws -> [PlannedPurge] {
        try Row.fetchAll(db, sql: """
            SELECT id, code, type, village, coalesce(closedAt, updatedAt) AS finishedAt, legalHold FROM caseFile WHERE \(finishedCaseSQL)
            """).map { row in
            let finished: Date = row["finishedAt"]
            let type: String = row["type"]
            let purgeAt = finished.addingTimeInterval(policy.period(for: type))
            let hold: Bool = row["legalHold"]
            return PlannedPurge(caseID: row["id"], code: row["code"], type: type, village: row["village"], closedAt: finished,
                                purgeAt: purgeAt, legalHold: hold, due: purgeAt <= now && !hold)
        }.sorted { ($0.purgeAt, $0.caseID) < ($1.purgeAt, $1.caseID) }
    }

    /// Deletes the personal data of every finished case past its retention period, except cases
    /// under legal hold: the case with its history, notes, follow-ups and referrals, and the
    /// person with their contact data and consents once they have no case left. A de-identified
    /// row per case (type, desa, dates, sex, age band, disability, SIMFONI categories) stays, so
    /// that reports of past periods still count it. One transaction and one audit event per case.
    public func purgeExpired(policy: RetentionPolicy, actor: Actor) async throws -> PurgeOutcome {
        try actor.require(.purgeRecords)
        let now = time.now()
        let plan = try await pool.read { db in try Self.retentionPlan(policy: policy, now: now, db) }
        var outcome = PurgeOutcome(purged: [], held: [], peopleRemoved: 0)
        var failure: (any Error)?
        do {
            for entry in plan where entry.purgeAt <= now {
                if entry.legalHold {
                    outcome.held.append(entry.code)
                    continue
                }
                // nil: placed under hold meanwhile (checked again inside the transaction: the hold wins).
                let removedPerson = try await pool.write { db -> Bool? in
                    guard let record = try CaseRecord.fetchOne(db, key: entry.caseID) else { return false }
                    guard !record.legalHold else { return nil }
                    let personRemoved = try Self.deidentify(record, reason: "retention", now: now, db)
                    try AuditLog.append(db, actor: actor, action: "retention.purge", object: "case/\(record.code)",
                                        detail: "type \(record.type), finished \(self.time.calendarDay(of: entry.closedAt)), kept \(Int(policy.period(for: record.type) / 86_400)) days"
                                            + (personRemoved ? "; person/\(record.personID) removed with their last case" : ""))
                    return personRemoved
                }
                guard let removedPerson else {
                    outcome.held.append(entry.code)
                    continue
                }
                outcome.purged.append(entry.code)
                if removedPerson { outcome.peopleRemoved += 1 }
            }
        } catch {
            failure = error
        }
        // The cases purged (all, or those before a failure) are gone: their words go from the index
        // and the log too. After the purges have committed, a failure here is not theirs: the next
        // erasure or purge merges the index again (all of it, older deletions included).
        if !outcome.purged.isEmpty { try? await forgetPurged() }
        if let failure { throw failure }
        return outcome
    }

    /// Once for a whole purge: merging the search index costs the same for one case as for many.
    private func forgetPurged() async throws {
        try await pool.write { db in try Self.forgetDeleted(db) }
        await emptyWriteAheadLog()
    }

    /// Replaces a case by its de-identified row and deletes it (history, follow-ups and referrals
    /// go with it); deletes the person too when this was their last case. Returns whether the
    /// person was deleted.
    static func deidentify(_ record: CaseRecord, reason: String, now: Date, _ db: Database) throws -> Bool {
        try db.execute(sql: """
            INSERT INTO caseAggregate (type, village, sex, ageBand, disability, status, openedAt, resolvedAt, closedAt,
                                       violenceForm, violencePlace, perpetratorRelation, reason, removedAt)
            SELECT c.type, c.village, p.sex, \(ageBandSQL(birth: "p.birthDate", at: "c.openedAt")), \(disabilitySQL), c.status,
                   c.openedAt, c.resolvedAt, c.closedAt, c.violenceForm, c.violencePlace, c.perpetratorRelation, ?, ?
            FROM caseFile c JOIN person p ON p.id = c.personID WHERE c.id = ?
            """, arguments: [reason, now, record.id!])
        let aggregateID = db.lastInsertedRowID
        try db.execute(sql: """
            INSERT INTO followUpAggregate (caseAggregateID, dueAt, windowHours, status, doneAt)
            SELECT ?, dueAt, windowHours, status, doneAt FROM followUp WHERE caseID = ?
            """, arguments: [aggregateID, record.id!])
        try db.execute(sql: """
            INSERT INTO referralAggregate (caseAggregateID, service, status, createdAt)
            SELECT ?, s.code, r.status, r.createdAt FROM referral r JOIN service s ON s.id = r.serviceID WHERE r.caseID = ?
            """, arguments: [aggregateID, record.id!])
        // Nothing about the case may go out after it is gone: its reminders' pending jobs are
        // cancelled, and messages already queued for it lose their text (they carry a first name).
        let now = now
        try db.execute(sql: """
            UPDATE job SET state = 'cancelled', updatedAt = ?
            WHERE state = 'pending' AND idempotencyKey IN (SELECT fireKey FROM reminder WHERE caseID = ? AND fireKey IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM reminder r WHERE r.fireKey = job.idempotencyKey AND r.caseID <> ? AND r.state = 'planned')
            """, arguments: [now, record.id!, record.id!])
        try db.execute(sql: """
            UPDATE job SET state = 'cancelled', payload = '{}', lastError = 'the case was erased or purged', updatedAt = ?
            WHERE state IN ('pending', 'leased') AND kind LIKE 'notify.%' AND idempotencyKey IN (
                SELECT 'notify:' || m.messageID || ':' || m.channel FROM reminder m
                WHERE m.caseID = ? AND m.messageID IS NOT NULL AND m.channel IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM reminder o WHERE o.messageID = m.messageID AND o.caseID <> m.caseID))
            """, arguments: [now, record.id!])
        try db.execute(sql: "DELETE FROM caseFile WHERE id = ?", arguments: [record.id!])
        let remaining = try Int.fetchOne(db, sql: "SELECT count(*) FROM caseFile WHERE personID = ?", arguments: [record.personID]) ?? 0
        if remaining == 0 {
            try db.execute(sql: "DELETE FROM person WHERE id = ?", arguments: [record.personID])
            return true
        }
        return false
    }

    /// Puts a case under legal hold (retention and erasure skip it) or lifts the hold; the reason is kept.
    public func setLegalHold(caseID: Int64, hold: Bool, reason: String?, actor: Actor) async throws -> CaseView {
        try actor.require(.setLegalHold)
        if hold && (reason ?? "").trimmingSpaces.isEmpty {
            throw StoreError.invalid(field: "reason", message: "a legal hold needs its reason, e.g. the court case or police report number")
        }
        let now = time.now()
        return try await pool.write { db in
            var record = try Self.visibleCase(id: caseID, code: nil, actor: actor, db)
            record.legalHold = hold
            record.legalHoldReason = hold ? reason : nil
            record.version += 1
            record.updatedAt = now
            try record.update(db)
            var event = CaseEventRecord(id: nil, caseID: record.id!, at: now, actor: actor.label, kind: hold ? "legal_hold" : "legal_hold_lifted",
                                        fromValue: nil, toValue: nil, note: reason)
            try event.insert(db)
            try AuditLog.append(db, actor: actor, action: hold ? "case.legal_hold" : "case.legal_hold_lift", object: "case/\(record.code)")
            return try Self.view(record, db)
        }
    }
}
