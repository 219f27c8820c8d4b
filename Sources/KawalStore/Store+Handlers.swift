import Foundation
import GRDB
import KawalDomain

public struct HandlerView: Sendable, Equatable {
    public var record: HandlerRecord
    public var supervisorCode: String?
    public var openCases: Int64
}

extension Store {
    static func isValidCode(_ code: String) -> Bool {
        guard let first = code.first, first.isLetter, code.count <= 32 else { return false }
        return code.allSatisfy { ($0.isLetter && $0.isASCII && $0.isLowercase) || $0.isASCIIDigit || $0 == "-" || $0 == "_" }
    }

    public func addHandler(_ input: HandlerInput, actor: Actor) async throws -> HandlerView {
        try actor.require(.addHandler)
        try input.checkLengths()
        guard let code = input.code, Self.isValidCode(code) else {
            throw StoreError.invalid(field: "code", message: "a handler needs a code: lower-case letters, digits, '-' and '_', starting with a letter (e.g. 'ani')")
        }
        guard let name = input.name, !name.trimmingSpaces.isEmpty else {
            throw StoreError.invalid(field: "name", message: "a handler needs a name")
        }
        let now = time.now()
        let phone = try input.phone.flatMap { try Self.normalizePhone($0) }
        return try await pool.write { db in
            guard try HandlerRecord.filter(Column("code") == code).fetchCount(db) == 0 else {
                throw StoreError.invalid(field: "code", message: "handler '\(code)' exists already")
            }
            var record = HandlerRecord(id: nil, code: code, name: name, unixUser: input.unixUser, phone: phone, email: input.email,
                                       language: input.language ?? "id", villages: input.villages ?? [],
                                       supervisorID: try input.supervisor.map { try Self.handlerID(code: $0, db) },
                                       active: true, version: 1, createdAt: now, updatedAt: now)
            try record.insert(db)
            try AuditLog.append(db, actor: actor, action: "handler.add", object: "handler/\(code)")
            return try Self.handlerView(record, db)
        }
    }

    static func handlerView(_ record: HandlerRecord, _ db: Database) throws -> HandlerView {
        let supervisor = try record.supervisorID.flatMap { try String.fetchOne(db, sql: "SELECT code FROM handler WHERE id = ?", arguments: [$0]) }
        let open = try Int64.fetchOne(db, sql: """
            SELECT count(*) FROM caseFile WHERE handlerID = ? AND status IN ('new','assessment','in_progress','referred','reopened')
            """, arguments: [record.id!]) ?? 0
        return HandlerView(record: record, supervisorCode: supervisor, openCases: open)
    }

    public func handlers(active: Bool?, actor: Actor) async throws -> [HandlerView] {
        try await pool.write { db in
            var request = HandlerRecord.all()
            if let active { request = request.filter(Column("active") == active) }
            let views = try request.order(Column("code")).fetchAll(db).map { try Self.handlerView($0, db) }
            try AuditLog.append(db, actor: actor, action: "handler.list", object: "handler")
            return views
        }
    }

    public func updateHandler(code: String, version: Int64, changes: HandlerInput, actor: Actor) async throws -> HandlerView {
        try actor.require(.changeHandler)
        try changes.checkLengths()
        let now = time.now()
        let phone = try changes.phone.map { try Self.normalizePhone($0) }
        return try await writeWithReminders { db, jobs in
            guard var record = try HandlerRecord.filter(Column("code") == code).fetchOne(db) else { throw StoreError.notFound(object: "handler/\(code)") }
            try StoreError.checkVersion(of: "handler/\(code)", read: version, current: record.version)
            if let newCode = changes.code {
                guard Self.isValidCode(newCode) else { throw StoreError.invalid(field: "code", message: "lower-case letters, digits, '-' and '_'") }
                record.code = newCode
            }
            if let name = changes.name { record.name = name }
            if let unixUser = changes.unixUser { record.unixUser = unixUser.isEmpty ? nil : unixUser }
            if let phone { record.phone = phone }
            if let email = changes.email { record.email = email.isEmpty ? nil : email }
            if let language = changes.language { record.language = language }
            if let villages = changes.villages { record.villages = villages }
            if let supervisor = changes.supervisor {
                let supervisorID = supervisor.isEmpty ? nil : try Self.handlerID(code: supervisor, db)
                guard supervisorID != record.id else { throw StoreError.invalid(field: "supervisor", message: "a handler cannot supervise themselves") }
                record.supervisorID = supervisorID
            }
            record.version += 1
            record.updatedAt = now
            try record.update(db)
            try AuditLog.append(db, actor: actor, action: "handler.update", object: "handler/\(record.code)")
            try self.handlerChanged(db, handlerID: record.id!, now: now, jobs: jobs)
            return try Self.handlerView(record, db)
        }
    }

    public func deactivateHandler(code: String, version: Int64, reassignTo: String?, actor: Actor) async throws -> (HandlerView, Int) {
        try actor.require(.deactivateHandler)
        let now = time.now()
        return try await writeWithReminders { db, jobs in
            guard var record = try HandlerRecord.filter(Column("code") == code).fetchOne(db) else { throw StoreError.notFound(object: "handler/\(code)") }
            try StoreError.checkVersion(of: "handler/\(code)", read: version, current: record.version)
            let moved = try Self.moveOpenCases(from: record, to: reassignTo, actor: actor, at: now, db)
            record.active = false
            record.version += 1
            record.updatedAt = now
            try record.update(db)
            try AuditLog.append(db, actor: actor, action: "handler.deactivate", object: "handler/\(code)", detail: "\(moved.count) open cases moved")
            for caseID in moved.ids { try self.recomputeReminders(db, caseID: caseID, now: now, jobs: jobs) }
            return (try Self.handlerView(record, db), moved.count)
        }
    }

    public func reassignCases(from: String, to: String, actor: Actor) async throws -> Int {
        try actor.require(.reassignCases)
        let now = time.now()
        return try await writeWithReminders { db, jobs in
            guard let record = try HandlerRecord.filter(Column("code") == from).fetchOne(db) else { throw StoreError.notFound(object: "handler/\(from)") }
            let moved = try Self.moveOpenCases(from: record, to: to, actor: actor, at: now, db)
            try AuditLog.append(db, actor: actor, action: "handler.reassign", object: "handler/\(from)", detail: "\(moved.count) open cases to \(to)")
            for caseID in moved.ids { try self.recomputeReminders(db, caseID: caseID, now: now, jobs: jobs) }
            return moved.count
        }
    }

    static func moveOpenCases(from handler: HandlerRecord, to code: String?, actor: Actor, at now: Date, _ db: Database) throws -> MovedCases {
        let target = try code.map { try handlerID(code: $0, db) }
        let cases = try CaseRecord.filter(Column("handlerID") == handler.id! && CaseStatus.open.map(\.rawValue).contains(Column("status"))).fetchAll(db)
        for var record in cases {
            record.handlerID = target
            record.version += 1
            record.updatedAt = now
            try record.update(db)
            var event = CaseEventRecord(id: nil, caseID: record.id!, at: now, actor: actor.label, kind: "assigned",
                                        fromValue: handler.code, toValue: code, note: "reassigned")
            try event.insert(db)
        }
        return MovedCases(ids: cases.map { $0.id! })
    }

    public func services() async throws -> [ServiceRecord] {
        try await pool.read { db in try ServiceRecord.order(Column("code")).fetchAll(db) }
    }

    public func addService(code: String, name: String, kind: String, contact: String?, actor: Actor) async throws -> ServiceRecord {
        try actor.require(.addService)
        guard Self.isValidCode(code) else {
            throw StoreError.invalid(field: "code", message: "a service code is lower-case letters, digits, '-' and '_' (e.g. 'dukcapil-lotim')")
        }
        return try await pool.write { db in
            guard try ServiceRecord.filter(Column("code") == code).fetchCount(db) == 0 else {
                throw StoreError.invalid(field: "code", message: "service '\(code)' exists already")
            }
            var service = ServiceRecord(id: nil, code: code, name: name, kind: kind, contact: contact)
            try service.insert(db)
            try AuditLog.append(db, actor: actor, action: "service.add", object: "service/\(code)")
            return service
        }
    }
}

/// The open cases a handler change moved, by id.
struct MovedCases {
    var ids: [Int64]
    var count: Int { ids.count }
}
