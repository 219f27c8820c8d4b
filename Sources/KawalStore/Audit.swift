import Crypto
import Foundation
import GRDB

/// One entry of the audit log. Each carries the hash of the one before, so that editing or
/// deleting an entry breaks the chain at that point.
public struct AuditEvent: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "auditEvent"
    public var id: Int64?
    public var at: Date
    public var actorUID: Int64
    public var actorPID: Int64
    public var actorRole: String
    public var action: String
    public var object: String
    public var detail: String?
    public var previousHash: String
    public var hash: String

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The text the hash covers: every field but the hash, in a fixed order, one per line.
    func canonicalText(id: Int64) -> String {
        [String(id), AuditEvent.timestamp(at), String(actorUID), String(actorPID), actorRole, action, object, detail ?? "", previousHash]
            .map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n") }
            .joined(separator: "\n")
    }

    func computedHash(id: Int64) -> String {
        SHA256.hash(data: Data(canonicalText(id: id).utf8)).hexEncoded
    }

    /// Milliseconds since 1970: the precision GRDB stores dates with, so the hash can be recomputed from the row.
    static func timestamp(_ date: Date) -> String {
        String(Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    static let genesis = String(repeating: "0", count: 64)
}

enum AuditLog {
    /// Appends an event in the current transaction, chained to the last one.
    static func append(_ db: Database, actor: Actor, action: String, object: String, detail: String? = nil, at: Date = Date()) throws {
        let previous = try String.fetchOne(db, sql: "SELECT hash FROM auditEvent ORDER BY id DESC LIMIT 1") ?? AuditEvent.genesis
        let nextID = (try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'auditEvent'") ?? 0) + 1
        // Millisecond precision, as stored: the hash must be recomputable from the row.
        let stamp = Date(timeIntervalSince1970: (at.timeIntervalSince1970 * 1000).rounded() / 1000)
        var event = AuditEvent(id: nextID, at: stamp, actorUID: actor.uid, actorPID: actor.pid, actorRole: actor.role.rawValue,
                               action: action, object: object, detail: detail, previousHash: previous, hash: "")
        event.hash = event.computedHash(id: nextID)
        try event.insert(db)
    }

    /// Walks the chain from the start; returns the id of the first event that does not match.
    static func verify(_ db: Database) throws -> (count: Int, firstBroken: Int64?, reason: String?) {
        var previous = AuditEvent.genesis
        var count = 0
        var expectedID: Int64 = 1
        let cursor = try AuditEvent.order(Column("id")).fetchCursor(db)
        while let event = try cursor.next() {
            count += 1
            let id = event.id!
            if id != expectedID {
                return (count, expectedID, "event \(expectedID) is missing (the next one is \(id))")
            }
            if event.previousHash != previous {
                return (count, id, "event \(id) does not follow event \(id - 1): its link to the previous hash is wrong")
            }
            if event.computedHash(id: id) != event.hash {
                return (count, id, "event \(id) was changed after it was written: its content does not match its hash")
            }
            previous = event.hash
            expectedID += 1
        }
        let last = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'auditEvent'") ?? 0
        if last >= expectedID {
            return (count, expectedID, "events \(expectedID)…\(last) were deleted from the end of the log")
        }
        return (count, nil, nil)
    }
}
