import Foundation
import GRDB
import KawalDomain

/// Sending reminders: what a reminder.fire job does, and the overdue digest after downtime.
extension Store {
    /// What a reminder.fire job does: the planned reminders under `fireKey` are checked again (the
    /// one decision), rendered by `render` for their recipients, and queued as notify jobs, in one
    /// transaction. Returns the notify jobs made (for the scheduler), how many reminders went out,
    /// and the cases whose escalation went out (for the journal's catalogued event).
    public func dispatchReminders(fireKey: String, render: @escaping @Sendable (ReminderBatch) throws -> [OutgoingMessage]) async throws
        -> (jobs: [DueJob], sent: Int, skipped: Int, escalatedCases: [Int64]) {
        let now = time.now()
        let rules = reminderRules
        let alertHandlers = reminderHub.state.withLock { $0.alertHandlers }
        return try await pool.write { db in
            let reminders = try ReminderRecord.filter(Column("fireKey") == fireKey && Column("state") == ReminderState.planned.rawValue)
                .order(Column("dueSlot"), Column("id")).fetchAll(db)
            var jobs: [DueJob] = []
            var sent = 0
            var skipped = 0
            var escalatedCases: [Int64] = []
            for (recipient, group) in Dictionary(grouping: reminders, by: \.recipient).sorted(by: { $0.key.description < $1.key.description }) {
                var items: [ReminderItem] = []
                var kept: [ReminderRecord] = []
                for var reminder in group {
                    if let refusal = try Self.refusal(db, toSend: reminder, rules: rules) {
                        reminder.state = .cancelled
                        reminder.note = refusal.description
                        reminder.updatedAt = now
                        try reminder.update(db)
                        continue
                    }
                    items.append(try Self.item(db, reminder))
                    kept.append(reminder)
                }
                guard let first = kept.first else { continue }
                let key = FireKey(fireKey) ?? .reminder(first.id!)
                let batch = ReminderBatch(fireKey: fireKey, purpose: ReminderBatchPurpose(fireKey: key, count: kept.count, firstRule: first.rule),
                                          messageBase: reminderMessageBase(fireKey: key, firstRule: first.rule, firstSlot: first.dueSlot),
                                          recipients: try Self.recipients(db, of: recipient, alertHandlers: alertHandlers),
                                          toAdmins: recipient == .admins, items: items)
                let messages = try render(batch)
                guard let firstMessage = messages.first else {
                    for var reminder in kept {
                        reminder.state = .skipped
                        reminder.note = "no channel with recorded consent and an address"
                        reminder.updatedAt = now
                        try reminder.update(db)
                    }
                    skipped += kept.count
                    continue
                }
                var firstJobID: Int64?
                for message in messages {
                    if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM job WHERE idempotencyKey = ?", arguments: [message.idempotencyKey]) {
                        if message == firstMessage { firstJobID = existing }
                        continue
                    }
                    var job = JobRecord(id: nil, kind: "notify.\(message.channel)", payload: message.payload, dueAt: message.dueAt,
                                        idempotencyKey: message.idempotencyKey, state: .pending, attempts: 0, leaseOwner: nil,
                                        leaseExpiresAt: nil, lastError: nil, createdAt: now, updatedAt: now)
                    try job.insert(db)
                    if message == firstMessage { firstJobID = job.id }
                    jobs.append(DueJob(id: job.id!, kind: job.kind, dueAt: job.dueAt))
                }
                let kawald = Actor.system(pid: Int64(ProcessInfo.processInfo.processIdentifier))
                for (var reminder, item) in zip(kept, items) {
                    reminder.state = .queued
                    reminder.channel = firstMessage.channel
                    reminder.messageID = firstMessage.messageID
                    reminder.jobID = firstJobID
                    reminder.updatedAt = now
                    try reminder.update(db)
                    // The message names the case and the person's first name: a read of personal data, by kawald.
                    try AuditLog.append(db, actor: kawald, action: "reminder.send", object: "case/\(item.caseCode)",
                                        detail: "reminder/\(reminder.id!) \(reminder.rule) to \(reminder.recipient) by \(firstMessage.channel), message \(firstMessage.messageID)")
                }
                sent += kept.count
                escalatedCases += kept.filter { $0.rule == .escalation }.map(\.caseID)
            }
            return (jobs, sent, skipped, escalatedCases)
        }
    }

    /// Why a planned reminder should no longer go out, or nil: the one decision again, at sending time.
    static func refusal(_ db: Database, toSend reminder: ReminderRecord, rules: ReminderRules) throws -> ReminderRefusal? {
        guard let facts = try reminderFacts(db, caseID: reminder.caseID) else { return .caseGone }
        guard facts.plannedFollowUps.contains(where: { $0.id == reminder.followUpID }) else { return .followUpRecorded }
        let recipient = try reminder.recipient.handlerID.flatMap { try HandlerRecord.fetchOne(db, key: $0) }
        return ReminderPolicy.refusal(status: facts.status, personRestricted: facts.personRestricted, recipient: recipient?.facts, rules: rules)
    }

    static func item(_ db: Database, _ reminder: ReminderRecord) throws -> ReminderItem {
        let row = try Row.fetchOne(db, sql: """
            SELECT c.code, p.name, f.kind, f.dueAt, h.name AS handlerName FROM followUp f
            JOIN caseFile c ON c.id = f.caseID JOIN person p ON p.id = c.personID LEFT JOIN handler h ON h.id = c.handlerID
            WHERE f.id = ?
            """, arguments: [reminder.followUpID])!
        let name: String = row["name"]
        return ReminderItem(reminderID: reminder.id!, followUpID: reminder.followUpID, rule: reminder.rule, caseCode: row["code"], firstName: firstName(name),
                            followUpKind: row["kind"], dueAt: row["dueAt"], handlerName: (row["handlerName"] as String?).map(firstName))
    }

    /// The first word of a name: messages carry no more of it.
    public static func firstName(_ name: String) -> String {
        String(name.trimmingSpaces.split(separator: " ").first ?? "")
    }

    /// After downtime, before the scheduler loads its jobs: reminder.fire jobs that fell due longer
    /// ago than the staleness window are folded into one overdue ("terlambat") digest per recipient,
    /// due now; their own jobs become stale. Returns how many reminders were folded.
    public func foldLateReminders(staleBefore: Date) async throws -> Int {
        let now = time.now()
        return try await pool.write { db in
            let keys = try String.fetchAll(db, sql: "SELECT idempotencyKey FROM job WHERE kind = ? AND state = 'pending' AND dueAt < ?",
                                           arguments: [Self.reminderFireKind, staleBefore])
            guard !keys.isEmpty else { return 0 }
            var folded: [ReminderRecord] = []
            for chunk in keys.chunked(into: 500) {
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                folded += try ReminderRecord.fetchAll(db, sql: "SELECT * FROM reminder WHERE state = 'planned' AND fireKey IN (\(placeholders))",
                                                      arguments: StatementArguments(Array(chunk)))
                var arguments: StatementArguments = [now]
                arguments += StatementArguments(Array(chunk))
                try db.execute(sql: """
                    UPDATE job SET state = 'stale', updatedAt = ?, lastError = 'missed while kawald was stopped; sent in the overdue digest'
                    WHERE state = 'pending' AND idempotencyKey IN (\(placeholders))
                    """, arguments: arguments)
            }
            for (recipient, group) in Dictionary(grouping: folded, by: \.recipient) {
                let key = FireKey.late(recipient, firstReminderID: group.map { $0.id! }.min()!).description
                for var reminder in group {
                    reminder.fireKey = key
                    reminder.updatedAt = now
                    try reminder.update(db)
                }
                if try Int64.fetchOne(db, sql: "SELECT id FROM job WHERE idempotencyKey = ?", arguments: [key]) == nil {
                    try self.insertFireJob(db, key: key, due: now, now: now, jobs: nil)
                }
            }
            return folded.count
        }
    }
}
