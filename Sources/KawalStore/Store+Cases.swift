import Foundation
import GRDB
import KawalDomain

/// A case as read, with the names the API shows next to ids.
public struct CaseView: Sendable, Equatable {
    public var record: CaseRecord
    public var personName: String
    public var handlerCode: String?
}

public struct CaseSummaryView: Sendable, Equatable {
    public var record: CaseRecord
    public var personName: String
    public var handlerCode: String?
    public var nextFollowUp: Date?
}

public struct CaseDetail: Sendable {
    public var view: CaseView
    public var history: [CaseEventRecord]
    public var followUps: [FollowUpView]
    public var referrals: [ReferralView]
}

/// Which cases to list.
public struct CaseFilter: Sendable, Equatable {
    public var status: String?
    public var openOnly = false
    public var village: String?
    public var type: String?
    public var handler: String?
    public var risk: String?

    public init(status: String? = nil, openOnly: Bool = false, village: String? = nil, type: String? = nil, handler: String? = nil, risk: String? = nil) {
        self.status = status
        self.openOnly = openOnly
        self.village = village
        self.type = type
        self.handler = handler
        self.risk = risk
    }
}

extension Store {
    static let caseTypes: Set<String> = ["document", "bpjs", "social_assistance", "violence", "child_marriage", "other"]
    static let risks: Set<String> = ["low", "medium", "high"]

    /// Opens a case for a person (status new), with a short code `K-YYYY-NNNN`.
    public func openCase(_ input: CaseInput, actor: Actor) async throws -> CaseView {
        try actor.require(.openCase)
        try input.checkLengths()
        guard let personID = input.personID else { throw StoreError.invalid(field: "person_id", message: "a case is about a person: give person_id") }
        let type = try Self.checkedType(input.type)
        let risk = try Self.checkedRisk(input.risk ?? "low")
        let now = time.now()
        let due = try input.due.map { try time.moment($0, field: "due") }
        let reporter = try input.reporter.map(Self.normalizedReporter)
        return try await writeWithReminders { db, jobs in
            guard let person = try PersonRecord.fetchOne(db, key: personID) else { throw StoreError.notFound(object: "person/\(personID)") }
            let handlerID = try input.handler.map { try Self.handlerID(code: $0, db) }
            let codes = try CaseCodes(year: self.time.calendar.component(.year, from: now), db)
            var record = CaseRecord(
                id: nil, code: codes.code(0), personID: personID, type: type, subtype: input.subtype,
                status: .new, risk: risk, urgentSafety: input.urgentSafety ?? false, handlerID: handlerID,
                village: input.village ?? person.village, summary: input.summary, notes: input.notes, reporter: reporter,
                openedAt: now, dueAt: due, resolvedAt: nil, closedAt: nil, legalHold: input.legalHold ?? false, version: 1, updatedAt: now)
            try ViolenceCategories.apply(input, to: &record)
            try record.insert(db)
            var opened = CaseEventRecord(id: nil, caseID: record.id!, at: now, actor: actor.label, kind: "opened", fromValue: nil, toValue: "new", note: nil)
            try opened.insert(db)
            if let handlerID {
                var assigned = CaseEventRecord(id: nil, caseID: record.id!, at: now, actor: actor.label, kind: "assigned", fromValue: nil,
                                               toValue: try String.fetchOne(db, sql: "SELECT code FROM handler WHERE id = ?", arguments: [handlerID]), note: nil)
                try assigned.insert(db)
            }
            try AuditLog.append(db, actor: actor, action: "case.open", object: "case/\(record.code)", detail: "type \(type)")
            try self.caseChanged(db, caseID: record.id!, occasion: .open, now: now, jobs: jobs)
            return try Self.view(record, db)
        }
    }

    /// A reporter's phone is kept like a person's: +62….
    static func normalizedReporter(_ reporter: Reporter) throws -> Reporter {
        var normalized = reporter
        do {
            normalized.phone = try reporter.phone.flatMap(normalizePhone)
        } catch StoreError.invalid(_, let message) {
            throw StoreError.invalid(field: "reporter.phone", message: message)
        }
        return normalized
    }

    static func checkedType(_ type: String?) throws(StoreError) -> String {
        guard let type, caseTypes.contains(type) else {
            throw .invalid(field: "type", message: "expected one of \(caseTypes.sorted().joined(separator: ", "))")
        }
        return type
    }

    static func checkedRisk(_ risk: String) throws(StoreError) -> String {
        guard risks.contains(risk) else { throw .invalid(field: "risk", message: "expected low, medium or high") }
        return risk
    }

    static func handlerID(code: String, _ db: Database) throws -> Int64 {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, active FROM handler WHERE code = ?", arguments: [code]) else {
            throw StoreError.invalid(field: "handler", message: "no handler with code '\(code)'; 'kawalctl handler list' shows them")
        }
        guard row["active"] as Bool else { throw StoreError.invalid(field: "handler", message: "handler '\(code)' is inactive") }
        return row["id"]
    }

    static func view(_ record: CaseRecord, _ db: Database) throws -> CaseView {
        let name = try String.fetchOne(db, sql: "SELECT name FROM person WHERE id = ?", arguments: [record.personID]) ?? ""
        let handler = try record.handlerID.flatMap { try String.fetchOne(db, sql: "SELECT code FROM handler WHERE id = ?", arguments: [$0]) }
        return CaseView(record: record, personName: name, handlerCode: handler)
    }

    /// A case the actor may see, by id or code.
    static func visibleCase(id: Int64?, code: String?, actor: Actor, _ db: Database) throws -> CaseRecord {
        let record: CaseRecord?
        let object: String
        if let id {
            record = try CaseRecord.fetchOne(db, key: id)
            object = "case/\(id)"
        } else if let code {
            record = try CaseRecord.filter(Column("code") == code).fetchOne(db)
            object = "case/\(code)"
        } else {
            throw StoreError.invalid(field: "id", message: "give the case's id or code")
        }
        guard let record, actor.scope.includes(caseHandledBy: record.handlerID) else {
            throw StoreError.notFound(object: object)
        }
        return record
    }

    public func caseDetail(id: Int64?, code: String?, actor: Actor) async throws -> CaseDetail {
        let now = time.now()
        return try await pool.write { db in
            let record = try Self.visibleCase(id: id, code: code, actor: actor, db)
            let history = try CaseEventRecord.filter(Column("caseID") == record.id!).order(Column("id")).fetchAll(db)
            let followUps = try FollowUpRecord.filter(Column("caseID") == record.id!).order(Column("dueAt"), Column("id")).fetchAll(db)
                .map { FollowUpView(record: $0, caseCode: record.code, overdue: $0.status == .planned && $0.dueAt < now) }
            let referrals = try Self.referralViews(ReferralRecord.filter(Column("caseID") == record.id!).order(Column("id")).fetchAll(db), db)
            try AuditLog.append(db, actor: actor, action: "case.read", object: "case/\(record.code)")
            return CaseDetail(view: try Self.view(record, db), history: history, followUps: followUps, referrals: referrals)
        }
    }

    /// Cases newest first; handlers see only their own.
    public func cases(_ filter: CaseFilter, limit: Int?, after: String?, actor: Actor) async throws -> Page<CaseSummaryView> {
        let pageSize = Self.pageLimit(limit)
        let afterID = try Self.cursorID(after)
        return try await pool.write { db in
            var request = CaseRecord.all()
            if let afterID { request = request.filter(Column("id") < afterID) }
            if let status = filter.status { request = request.filter(Column("status") == status) }
            if filter.openOnly { request = request.filter(CaseStatus.open.map(\.rawValue).contains(Column("status"))) }
            if let village = filter.village { request = request.filter(Column("village") == village) }
            if let type = filter.type { request = request.filter(Column("type") == type) }
            if let risk = filter.risk { request = request.filter(Column("risk") == risk) }
            if let handler = filter.handler {
                request = request.filter(sql: "handlerID = (SELECT id FROM handler WHERE code = ?)", arguments: [handler])
            }
            if let inScope = actor.scope.condition(handlerColumn: "handlerID") { request = request.filter(sql: inScope) }
            let records = try request.order(Column("id").desc).limit(pageSize + 1).fetchAll(db)
            let page = Array(records.prefix(pageSize))
            var views: [CaseSummaryView] = []
            for record in page {
                let view = try Self.view(record, db)
                let next = try Date.fetchOne(db, sql: "SELECT min(dueAt) FROM followUp WHERE caseID = ? AND status = 'planned'", arguments: [record.id!])
                views.append(CaseSummaryView(record: record, personName: view.personName, handlerCode: view.handlerCode, nextFollowUp: next))
            }
            try AuditLog.append(db, actor: actor, action: "case.list", object: "case", detail: "\(views.count) shown")
            return Page(items: views, next: records.count > pageSize ? page.last.map { String($0.id!) } : nil)
        }
    }

    /// Changes a case. Handlers may change only the notes of their own cases.
    public func updateCase(id: Int64, version: Int64, changes: CaseInput, actor: Actor) async throws -> CaseView {
        try actor.require(changes.givenFields == ["notes"] ? .changeCaseNotes : .changeCaseFields)
        try changes.checkLengths()
        let now = time.now()
        let due = try changes.due.map { $0.isEmpty ? nil : try time.moment($0, field: "due") }
        return try await writeWithReminders { db, jobs in
            var record = try Self.visibleCase(id: id, code: nil, actor: actor, db)
            try StoreError.checkVersion(of: "case/\(record.code)", read: version, current: record.version)
            if let personID = changes.personID {
                guard try PersonRecord.exists(db, key: personID) else { throw StoreError.notFound(object: "person/\(personID)") }
                record.personID = personID
            }
            if let type = changes.type { record.type = try Self.checkedType(type) }
            if let subtype = changes.subtype { record.subtype = subtype.isEmpty ? nil : subtype }
            if let risk = changes.risk { record.risk = try Self.checkedRisk(risk) }
            if let urgent = changes.urgentSafety { record.urgentSafety = urgent }
            if let village = changes.village { record.village = village }
            if let summary = changes.summary { record.summary = summary.isEmpty ? nil : summary }
            if let notes = changes.notes { record.notes = notes.isEmpty ? nil : notes }
            if let due { record.dueAt = due }
            if let reporter = changes.reporter { record.reporter = try Self.normalizedReporter(reporter) }
            if let legalHold = changes.legalHold { record.legalHold = legalHold }
            if let handler = changes.handler { record.handlerID = handler.isEmpty ? nil : try Self.handlerID(code: handler, db) }
            try ViolenceCategories.apply(changes, to: &record)
            record.version += 1
            record.updatedAt = now
            try record.update(db)
            var event = CaseEventRecord(id: nil, caseID: record.id!, at: now, actor: actor.label, kind: "updated",
                                        fromValue: nil, toValue: nil, note: "fields: " + changes.givenFields.joined(separator: ","))
            try event.insert(db)
            try AuditLog.append(db, actor: actor, action: "case.update", object: "case/\(record.code)",
                                detail: "fields: " + changes.givenFields.joined(separator: ","))
            try self.caseChanged(db, caseID: record.id!, occasion: nil, now: now, jobs: jobs)
            return try Self.view(record, db)
        }
    }

    public func assignCase(id: Int64, version: Int64, handler: String?, actor: Actor) async throws -> CaseView {
        try actor.require(.assignCase)
        let now = time.now()
        return try await writeWithReminders { db, jobs in
            var record = try Self.visibleCase(id: id, code: nil, actor: actor, db)
            try StoreError.checkVersion(of: "case/\(record.code)", read: version, current: record.version)
            let before = try Self.view(record, db).handlerCode
            record.handlerID = try handler.map { try Self.handlerID(code: $0, db) }
            record.version += 1
            record.updatedAt = now
            try record.update(db)
            var event = CaseEventRecord(id: nil, caseID: record.id!, at: now, actor: actor.label, kind: "assigned",
                                        fromValue: before, toValue: handler, note: nil)
            try event.insert(db)
            try AuditLog.append(db, actor: actor, action: "case.assign", object: "case/\(record.code)", detail: "handler \(handler ?? "none")")
            try self.caseChanged(db, caseID: record.id!, occasion: nil, now: now, jobs: jobs)
            return try Self.view(record, db)
        }
    }

    /// Moves a case along its lifecycle; an illegal move names the allowed ones.
    public func transitionCase(id: Int64, version: Int64, to statusName: String, note: String?, actor: Actor) async throws -> CaseView {
        try actor.require(.changeCaseStatus)
        guard let status = CaseStatus(rawValue: statusName) else {
            throw StoreError.invalid(field: "status", message: "'\(statusName)' is not a case status: expected one of \(CaseStatus.valueList)")
        }
        let now = time.now()
        return try await writeWithReminders { db, jobs in
            var record = try Self.visibleCase(id: id, code: nil, actor: actor, db)
            try StoreError.checkVersion(of: "case/\(record.code)", read: version, current: record.version)
            guard CaseLifecycle.canMove(from: record.status, to: status) else {
                throw StoreError.invalidTransition(caseCode: record.code, from: record.status.rawValue, to: status.rawValue,
                                                   allowed: CaseLifecycle.allowed(from: record.status).map(\.rawValue))
            }
            let from = record.status
            record.status = status
            switch status {
            case .resolved: record.resolvedAt = now
            case .closed: record.closedAt = now
            case .reopened:
                record.resolvedAt = nil
                record.closedAt = nil
            default: break
            }
            if !status.isOpen {
                // Nothing more is planned for a finished case.
                try db.execute(sql: "UPDATE followUp SET status = 'cancelled', version = version + 1 WHERE caseID = ? AND status = 'planned'",
                               arguments: [record.id!])
            }
            record.version += 1
            record.updatedAt = now
            try record.update(db)
            var event = CaseEventRecord(id: nil, caseID: record.id!, at: now, actor: actor.label, kind: "transition",
                                        fromValue: from.rawValue, toValue: status.rawValue, note: note)
            try event.insert(db)
            try AuditLog.append(db, actor: actor, action: "case.transition", object: "case/\(record.code)", detail: "\(from) → \(status)")
            try self.caseChanged(db, caseID: record.id!, occasion: .transition(status: status), now: now, jobs: jobs)
            return try Self.view(record, db)
        }
    }
}

/// Short case codes, `K-YYYY-NNNN`: numbered per year of recording, four digits at least.
struct CaseCodes {
    let prefix: String
    /// The number the next case of that year gets.
    let next: Int

    /// Past case 9999 the codes grow a digit, so the last number is found as a number, not as text.
    init(year: Int, _ db: Database) throws {
        prefix = "K-\(year)-"
        next = (try Int.fetchOne(db, sql: "SELECT max(CAST(substr(code, ?) AS INTEGER)) FROM caseFile WHERE code LIKE ?",
                                 arguments: [prefix.count + 1, prefix + "%"]) ?? 0) + 1
    }

    /// The code of the case `offset` places after the next one.
    func code(_ offset: Int) -> String {
        prefix + TimeContext.zeroPadded(next + offset, 4)
    }
}
