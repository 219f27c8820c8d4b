import Foundation
import GRDB
import KawalDomain

/// An inbound message as stored and listed.
public struct InboundRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "inboundMessage"
    public var id: Int64?
    public var dedupeKey: String
    public var channel: String
    public var senderKey: String
    public var handlerID: Int64?
    public var text: String?
    public var command: String?
    public var outcome: InboundOutcome?
    public var detail: String?
    public var reply: String?
    public var replyJobID: Int64?
    public var receivedAt: Date
    public var createdAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A message just taken in: its record, whether it was seen before, who sent it, and how many the
/// sender sent recently.
public struct InboundIntake: Sendable {
    public var record: InboundRecord
    public var duplicate: Bool
    /// The active handler the sender is (by phone, or by the gateway identity mapped to them).
    public var handler: HandlerRecord?
    /// The handlers `handler` supervises.
    public var supervises: [Int64]
    /// Messages from the same sender within the rate window, before this one.
    public var recentCount: Int
    /// An unknown sender was already answered within the unknown-sender window.
    public var unknownAnsweredRecently: Bool
}

/// An inbound message as listed, with its handler's code.
public struct InboundView: Sendable, Equatable {
    public var record: InboundRecord
    public var handlerCode: String?
}

extension Store {
    /// Takes in a message: stored once under `dedupeKey` (a repeat returns the first, marked
    /// duplicate), matched to an active handler by `phone` (normalised) or `identity`, and counted
    /// against its sender. The text is kept only when the sender is a handler.
    public func takeInbound(dedupeKey: String, channel: String, senderKey: String, phone: String?, identityHandler: String?, text: String,
                            receivedAt: Date, rateWindow: TimeInterval, unknownReplyWindow: TimeInterval) async throws -> InboundIntake {
        let now = time.now()
        return try await pool.write { db in
            let existing = try InboundRecord.filter(Column("dedupeKey") == dedupeKey).fetchOne(db)
            var handler: HandlerRecord?
            if let phone {
                handler = try HandlerRecord.filter(Column("phone") == phone && Column("active") == true).order(Column("id")).fetchOne(db)
            }
            if handler == nil, let identityHandler {
                handler = try HandlerRecord.filter(Column("code") == identityHandler && Column("active") == true).fetchOne(db)
            }
            let supervises = try handler.map {
                try Int64.fetchAll(db, sql: "SELECT id FROM handler WHERE supervisorID = ? AND active ORDER BY id", arguments: [$0.id!])
            } ?? []
            if let existing {
                return InboundIntake(record: existing, duplicate: true, handler: handler, supervises: supervises, recentCount: 0, unknownAnsweredRecently: true)
            }
            let recent = try Int.fetchOne(db, sql: "SELECT count(*) FROM inboundMessage WHERE senderKey = ? AND createdAt > ?",
                                          arguments: [senderKey, now.addingTimeInterval(-rateWindow)]) ?? 0
            let answered = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM inboundMessage WHERE senderKey = ? AND outcome = ? AND reply IS NOT NULL AND createdAt > ?)
                """, arguments: [senderKey, InboundOutcome.unknownSender.rawValue, now.addingTimeInterval(-unknownReplyWindow)]) ?? false
            var record = InboundRecord(id: nil, dedupeKey: dedupeKey, channel: channel, senderKey: senderKey, handlerID: handler?.id,
                                       text: handler == nil ? nil : text, command: nil, outcome: nil, detail: nil, reply: nil, replyJobID: nil,
                                       receivedAt: receivedAt, createdAt: now)
            try record.insert(db)
            return InboundIntake(record: record, duplicate: false, handler: handler, supervises: supervises, recentCount: recent,
                                 unknownAnsweredRecently: answered)
        }
    }

    /// Records what a message came to, and its reply's notify job (made in the same transaction,
    /// so a reply is queued exactly once). Every inbound message is an audit event, by its handler.
    public func finishInbound(id: Int64, command: InboundCommandName?, outcome: InboundOutcome, detail: String?, reply: OutgoingMessage?,
                              replyText: String?, actor: Actor?) async throws -> (record: InboundRecord, job: DueJob?) {
        let now = time.now()
        return try await pool.write { db in
            guard var record = try InboundRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "inbound/\(id)") }
            var due: DueJob?
            if let reply {
                if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM job WHERE idempotencyKey = ?", arguments: [reply.idempotencyKey]) {
                    record.replyJobID = existing
                } else {
                    var job = JobRecord(id: nil, kind: "notify.\(reply.channel)", payload: reply.payload, dueAt: reply.dueAt,
                                        idempotencyKey: reply.idempotencyKey, state: .pending, attempts: 0, leaseOwner: nil,
                                        leaseExpiresAt: nil, lastError: nil, createdAt: now, updatedAt: now)
                    try job.insert(db)
                    record.replyJobID = job.id
                    due = DueJob(id: job.id!, kind: job.kind, dueAt: job.dueAt)
                }
                record.reply = replyText
            }
            record.command = command?.rawValue
            record.outcome = outcome
            record.detail = detail
            try record.update(db)
            if let actor {
                try AuditLog.append(db, actor: actor, action: "inbound.\(command?.rawValue ?? "message")", object: "inbound/\(id)",
                                    detail: "\(record.channel): \(outcome)\(detail.map { "; \($0)" } ?? "")")
            }
            return (record, due)
        }
    }

    /// Inbound messages, newest first. Handlers see their own, without the text; an
    /// administrator's listing shows the text and is audited as a read of it.
    public func inboundMessages(handler: String?, since: Date?, outcome: InboundOutcome?, limit: Int?, actor: Actor) async throws -> [InboundView] {
        let pageSize = Self.pageLimit(limit)
        let showText = Authorization.check(.readInboundText, role: actor.role) == nil
        return try await pool.write { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let handler {
                conditions.append("i.handlerID = (SELECT id FROM handler WHERE code = ?)")
                _ = arguments.append(contentsOf: [handler])
            }
            if actor.role != .admin {
                conditions.append("i.handlerID = ?")
                _ = arguments.append(contentsOf: [actor.handlerID ?? -1])
            }
            if let since {
                conditions.append("i.receivedAt >= ?")
                _ = arguments.append(contentsOf: [since])
            }
            if let outcome {
                conditions.append("i.outcome = ?")
                _ = arguments.append(contentsOf: [outcome.rawValue])
            }
            let sql = """
                SELECT i.*, h.code AS handlerCode FROM inboundMessage i LEFT JOIN handler h ON h.id = i.handlerID
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) ORDER BY i.id DESC LIMIT \(pageSize)
                """
            let views = try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                var record = try InboundRecord(row: row)
                if !showText { record.text = nil }
                return InboundView(record: record, handlerCode: row["handlerCode"])
            }
            try AuditLog.append(db, actor: actor, action: showText ? "inbound.list_text" : "inbound.list", object: "inbound",
                                detail: "\(views.count) shown")
            return views
        }
    }

    /// The first name of a case's person: all a message may say of them.
    public func firstName(ofCase caseID: Int64) async throws -> String {
        try await pool.read { db in
            Self.firstName(try String.fetchOne(db, sql: "SELECT p.name FROM caseFile c JOIN person p ON p.id = c.personID WHERE c.id = ?",
                                               arguments: [caseID]) ?? "")
        }
    }

    /// A follow-up and its case when the case is in the actor's scope; "not found" otherwise, whether
    /// or not it exists (a handler learns nothing of other handlers' cases).
    static func visibleFollowUp(id: Int64, actor: Actor, _ db: Database) throws -> (FollowUpRecord, CaseRecord) {
        guard let followUp = try FollowUpRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "followup/\(id)") }
        do {
            return (followUp, try visibleCase(id: followUp.caseID, code: nil, actor: actor, db))
        } catch StoreError.notFound {
            throw StoreError.notFound(object: "followup/\(id)")
        }
    }

    /// A follow-up in the actor's scope (not found otherwise, whether or not it exists).
    public func followUp(id: Int64, actor: Actor) async throws -> FollowUpView {
        try await pool.read { db in
            let (followUp, record) = try Self.visibleFollowUp(id: id, actor: actor, db)
            return FollowUpView(record: followUp, caseCode: record.code, overdue: followUp.status == .planned && followUp.dueAt < self.time.now())
        }
    }

    /// Moves a planned follow-up to `dueAt` (a handler's TUNDA); its reminders follow.
    public func moveFollowUp(id: Int64, to dueAt: Date, note: String?, actor: Actor) async throws -> FollowUpView {
        try actor.require(.moveFollowUp)
        let now = time.now()
        guard dueAt > now else { throw StoreError.invalid(field: "due", message: "the new time has passed already") }
        return try await writeWithReminders { db, jobs in
            let (found, record) = try Self.visibleFollowUp(id: id, actor: actor, db)
            var followUp = found
            guard followUp.status == .planned else {
                throw StoreError.invalid(field: "status", message: "followup/\(id) is already \(followUp.status)")
            }
            let from = followUp.dueAt
            followUp.dueAt = dueAt
            followUp.version += 1
            try followUp.update(db)
            var event = CaseEventRecord(id: nil, caseID: record.id!, at: now, actor: actor.label, kind: "followup_moved",
                                        fromValue: self.time.display(from), toValue: self.time.display(dueAt), note: note ?? "followup/\(id)")
            try event.insert(db)
            try AuditLog.append(db, actor: actor, action: "followup.move", object: "case/\(record.code)", detail: "followup/\(id)")
            try self.recomputeReminders(db, caseID: record.id!, now: now, jobs: jobs)
            return FollowUpView(record: followUp, caseCode: record.code, overdue: false)
        }
    }
}
