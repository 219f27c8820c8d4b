import Foundation
import GRDB

public struct SearchHit: Sendable, Equatable {
    public var kind: String
    public var id: Int64
    public var code: String?
    public var title: String
    public var snippet: String
}

extension Store {
    public func auditEvents(object: String?, action: String?, limit: Int?, after: String?, actor: Actor) async throws -> Page<AuditEvent> {
        try actor.require(.readAudit)
        let pageSize = Self.pageLimit(limit)
        let afterID = try Self.cursorID(after)
        return try await pool.read { db in
            var request = AuditEvent.all()
            if let afterID { request = request.filter(Column("id") < afterID) }
            if let object { request = request.filter(Column("object") == object) }
            if let action { request = request.filter(Column("action") == action) }
            let events = try request.order(Column("id").desc).limit(pageSize + 1).fetchAll(db)
            let page = Array(events.prefix(pageSize))
            return Page(items: page, next: events.count > pageSize ? page.last.map { String($0.id!) } : nil)
        }
    }

    /// Checks the audit chain from its start.
    public func verifyAudit(actor: Actor) async throws -> (count: Int, firstBroken: Int64?, reason: String?) {
        try actor.require(.verifyAudit)
        return try await pool.read { db in try AuditLog.verify(db) }
    }

    /// Full-text search over names, case summaries and notes, limited to what the actor may see.
    public func search(_ text: String, limit: Int?, actor: Actor) async throws -> [SearchHit] {
        let terms = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { "\"\($0)\"*" }
        guard !terms.isEmpty else { throw StoreError.invalid(field: "text", message: "search for at least one word") }
        let pattern = terms.joined(separator: " ")
        let pageSize = Self.pageLimit(limit)
        return try await pool.write { db in
            var hits: [SearchHit] = []
            let rows = try Row.fetchAll(db, sql: """
                SELECT kind, ref, snippet(searchText, 2, '[', ']', '…', 8) AS snippet FROM searchText
                WHERE searchText MATCH ? ORDER BY rank LIMIT ?
                """, arguments: [pattern, pageSize * 4])
            for row in rows where hits.count < pageSize {
                let kind: String = row["kind"]
                let ref: Int64 = row["ref"]
                if kind == "person" {
                    guard try Self.mayRead(personID: ref, actor: actor, db),
                          let person = try PersonRecord.fetchOne(db, key: ref) else { continue }
                    hits.append(SearchHit(kind: "person", id: ref, code: nil, title: "\(person.name), \(person.village)", snippet: row["snippet"]))
                } else {
                    guard let record = try CaseRecord.fetchOne(db, key: ref),
                          actor.scope.includes(caseHandledBy: record.handlerID) else { continue }
                    hits.append(SearchHit(kind: "case", id: ref, code: record.code, title: "\(record.code) \(record.type), \(record.village)",
                                          snippet: row["snippet"]))
                }
            }
            try AuditLog.append(db, actor: actor, action: "search", object: "search", detail: "\(hits.count) hits")
            return hits
        }
    }
}
