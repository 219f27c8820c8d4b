import Foundation
import GRDB

/// What `kawalctl doctor` asks the store: reads only.
extension Store {
    /// Reminders that did not reach their recipient since `since`: skipped (no channel with consent
    /// and an address) and failed (their notify job died, was cancelled or went stale).
    public func reminderProblems(since: Date) async throws -> (skipped: Int64, failed: Int64) {
        try await pool.read { db in
            let skipped = try Int64.fetchOne(db, sql: "SELECT count(*) FROM reminder WHERE state = 'skipped' AND updatedAt >= ?", arguments: [since]) ?? 0
            let failed = try Int64.fetchOne(db, sql: """
                SELECT count(*) FROM reminder r JOIN job j ON j.id = r.jobID
                WHERE r.state = 'queued' AND j.state IN ('dead', 'cancelled', 'stale') AND j.updatedAt >= ?
                """, arguments: [since]) ?? 0
            return (skipped, failed)
        }
    }

    /// Every active handler with how they are reminded, by code.
    public func activeHandlerRecipients() async throws -> [ReminderRecipient] {
        try await pool.read { db in
            try HandlerRecord.filter(Column("active") == true).order(Column("code")).fetchAll(db).map {
                ReminderRecipient(handler: $0, settings: try Self.notifySettings(db, handlerID: $0.id!))
            }
        }
    }
}
