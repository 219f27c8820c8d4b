import Foundation
import GRDB

/// A case with its person and handler, as exported.
public struct ExportedCase: Sendable {
    public var record: CaseRecord
    public var person: PersonRecord
    public var handlerCode: String?
}

extension Store {
    /// Hands every case with its person to `body`, `batchSize` at a time, oldest first, from one
    /// consistent snapshot. Administrators only; audited with the count and whether NIKs were revealed.
    ///
    /// ```swift
    /// let count = try await store.exportCases(reveal: false, batchSize: 1000, actor: actor) { batch in send(batch) }
    /// ```
    @discardableResult
    public func exportCases(reveal: Bool, batchSize: Int, actor: Actor, _ body: @Sendable ([ExportedCase]) throws -> Void) async throws -> Int {
        try actor.require(.exportCases)
        return try await pool.write { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM caseFile") ?? 0
            try AuditLog.append(db, actor: actor, action: reveal ? "case.export_reveal_nik" : "case.export", object: "case",
                                detail: "\(total) cases" + (reveal ? ", NIK and KK numbers revealed" : ""))
            let split = splittingRowAdapters(columnCounts: [try db.columns(in: "caseFile").count, try db.columns(in: "person").count])
            let rows = try Row.fetchCursor(db, sql: """
                SELECT c.*, p.*, h.code AS handlerCode FROM caseFile c
                JOIN person p ON p.id = c.personID LEFT JOIN handler h ON h.id = c.handlerID
                ORDER BY c.id
                """, adapter: ScopeAdapter(["case": split[0], "person": split[1], "handler": split[2]]))
            var batch: [ExportedCase] = []
            batch.reserveCapacity(batchSize)
            while let row = try rows.next() {
                batch.append(ExportedCase(record: try CaseRecord(row: row.scopes["case"]!), person: try PersonRecord(row: row.scopes["person"]!),
                                          handlerCode: row.scopes["handler"]!["handlerCode"]))
                if batch.count == batchSize {
                    try body(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { try body(batch) }
            return total
        }
    }
}
