import Foundation
import GRDB
import KawalDomain

public struct FollowUpView: Sendable, Equatable {
    public var record: FollowUpRecord
    public var caseCode: String
    public var overdue: Bool
}

extension Store {
    public func addFollowUp(caseID: Int64, kind: String, due: String, windowHours: Int64?, notes: String?, actor: Actor) async throws -> FollowUpView {
        try actor.require(.planFollowUp)
        try StoreError.checkLength(notes, "notes", FieldLimit.notes)
        try StoreError.checkLength(due, "due", FieldLimit.reference)
        guard FollowUpKind(rawValue: kind) != nil else {
            throw StoreError.invalid(field: "kind", message: "expected one of \(FollowUpKind.valueList)")
        }
        let dueAt = try time.moment(due, field: "due")
        let now = time.now()
        return try await writeWithReminders { db, jobs in
            let record = try Self.visibleCase(id: caseID, code: nil, actor: actor, db)
            guard record.status.isOpen else {
                throw StoreError.invalid(field: "case_id", message: "case \(record.code) is \(record.status); reopen it to plan follow-ups")
            }
            var followUp = FollowUpRecord(id: nil, caseID: caseID, kind: kind, dueAt: dueAt, windowHours: windowHours, status: .planned,
                                          outcome: nil, contactMade: nil, attempt: 1, doneAt: nil, notes: notes, version: 1, createdAt: now)
            try followUp.insert(db)
            try AuditLog.append(db, actor: actor, action: "followup.add", object: "case/\(record.code)", detail: "followup/\(followUp.id!) \(kind)")
            try self.recomputeReminders(db, caseID: caseID, now: now, jobs: jobs)
            return FollowUpView(record: followUp, caseCode: record.code, overdue: dueAt < now)
        }
    }

    /// Records what happened to a planned follow-up. Handlers may do this for their own cases.
    /// A missed one gets a new planned attempt when `retryDue` is given.
    public func recordFollowUp(id: Int64, version: Int64?, status: String, outcome: String?, contactMade: Bool?, notes: String?,
                               retryDue: String?, actor: Actor) async throws -> (FollowUpView, FollowUpView?) {
        try actor.require(.recordFollowUp)
        try StoreError.checkLength(outcome, "outcome", FieldLimit.outcome)
        try StoreError.checkLength(notes, "notes", FieldLimit.notes)
        try StoreError.checkLength(retryDue, "retry_due", FieldLimit.reference)
        guard let status = FollowUpStatus(rawValue: status), FollowUpStatus.outcomes.contains(status) else {
            throw StoreError.invalid(field: "status", message: "record a follow-up as done, missed or cancelled")
        }
        let retryAt = try retryDue.map { try time.moment($0, field: "retry_due") }
        let now = time.now()
        return try await writeWithReminders { db, jobs in
            let (found, record) = try Self.visibleFollowUp(id: id, actor: actor, db)
            var followUp = found
            try StoreError.checkVersion(of: "followup/\(id)", read: version ?? followUp.version, current: followUp.version)
            guard followUp.status == .planned else {
                throw StoreError.invalid(field: "status", message: "followup/\(id) is already \(followUp.status)")
            }
            followUp.status = status
            followUp.outcome = outcome
            followUp.contactMade = contactMade
            if let notes { followUp.notes = notes }
            followUp.doneAt = now
            followUp.version += 1
            try followUp.update(db)
            var retry: FollowUpView?
            var retryRecord: FollowUpRecord?
            if let retryAt {
                var next = FollowUpRecord(id: nil, caseID: followUp.caseID, kind: followUp.kind, dueAt: retryAt, windowHours: followUp.windowHours,
                                          status: .planned, outcome: nil, contactMade: nil, attempt: followUp.attempt + 1, doneAt: nil,
                                          notes: nil, version: 1, createdAt: now)
                try next.insert(db)
                retry = FollowUpView(record: next, caseCode: record.code, overdue: retryAt < now)
                retryRecord = next
            }
            try self.planFollowUpRecorded(db, followUp: followUp, retry: retryRecord, now: now)
            try self.recomputeReminders(db, caseID: record.id!, now: now, jobs: jobs)
            var event = CaseEventRecord(id: nil, caseID: record.id!, at: now, actor: actor.label, kind: "followup",
                                        fromValue: FollowUpStatus.planned.rawValue, toValue: status.rawValue, note: "followup/\(id) \(followUp.kind)")
            try event.insert(db)
            try AuditLog.append(db, actor: actor, action: "followup.record", object: "case/\(record.code)", detail: "followup/\(id) \(status)")
            return (FollowUpView(record: followUp, caseCode: record.code, overdue: false), retry)
        }
    }

    /// Planned follow-ups in due order: past due (`overdue`), due within `window` seconds, or all.
    public func followUps(overdue: Bool, dueWithin window: TimeInterval?, caseID: Int64?, handler: String?, limit: Int?, after: String?,
                          actor: Actor) async throws -> Page<FollowUpView> {
        let pageSize = Self.pageLimit(limit)
        let now = time.now()
        var afterDue: Date?
        var afterID: Int64?
        if let after {
            let parts = after.split(separator: "/")
            guard parts.count == 2, let seconds = Double(parts[0]), seconds.isFinite, abs(seconds) < 1e11, let id = Int64(parts[1]) else {
                throw StoreError.invalid(field: "after", message: "'\(after)' is not a cursor from a previous page")
            }
            afterDue = Date(timeIntervalSince1970: seconds)
            afterID = id
        }
        let (cursorDue, cursorID) = (afterDue, afterID)
        return try await pool.write { db in
            var conditions = ["f.status = 'planned'"]
            var arguments: StatementArguments = []
            if overdue {
                conditions.append("f.dueAt < ?")
                _ = arguments.append(contentsOf: [now])
            }
            if let window {
                conditions.append("f.dueAt <= ?")
                _ = arguments.append(contentsOf: [now.addingTimeInterval(window)])
            }
            if let caseID {
                conditions.append("f.caseID = ?")
                _ = arguments.append(contentsOf: [caseID])
            }
            if let handler {
                conditions.append("c.handlerID = (SELECT id FROM handler WHERE code = ?)")
                _ = arguments.append(contentsOf: [handler])
            }
            if let inScope = actor.scope.condition(handlerColumn: "c.handlerID") { conditions.append(inScope) }
            if let cursorDue, let cursorID {
                conditions.append("(f.dueAt > ? OR (f.dueAt = ? AND f.id > ?))")
                _ = arguments.append(contentsOf: [cursorDue, cursorDue, cursorID])
            }
            let sql = """
                SELECT f.*, c.code AS caseCode FROM followUp f JOIN caseFile c ON c.id = f.caseID
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY f.dueAt, f.id LIMIT \(pageSize + 1)
                """
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let views = try rows.prefix(pageSize).map { row in
                let record = try FollowUpRecord(row: row)
                return FollowUpView(record: record, caseCode: row["caseCode"], overdue: record.dueAt < now)
            }
            let next = rows.count > pageSize ? views.last.map { "\($0.record.dueAt.timeIntervalSince1970)/\($0.record.id!)" } : nil
            try AuditLog.append(db, actor: actor, action: "followup.list", object: "followup", detail: "\(views.count) shown")
            return Page(items: views, next: next)
        }
    }
}
