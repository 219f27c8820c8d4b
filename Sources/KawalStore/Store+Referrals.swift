import Foundation
import GRDB
import KawalDomain

public struct ReferralView: Sendable, Equatable {
    public var record: ReferralRecord
    public var caseCode: String
    public var serviceCode: String
}

extension Store {
    static func referralViews(_ records: [ReferralRecord], _ db: Database) throws -> [ReferralView] {
        try records.map { record in
            ReferralView(record: record,
                         caseCode: try String.fetchOne(db, sql: "SELECT code FROM caseFile WHERE id = ?", arguments: [record.caseID]) ?? "",
                         serviceCode: try String.fetchOne(db, sql: "SELECT code FROM service WHERE id = ?", arguments: [record.serviceID]) ?? "")
        }
    }

    /// Refers a case to a service. Without the person's consent a referral needs an override
    /// reason, and the override is audited as such.
    public func addReferral(caseID: Int64, service: String, consent: String, overrideReason: String?, externalRef: String?,
                            deadline: String?, notes: String?, actor: Actor) async throws -> ReferralView {
        try actor.require(.referCase)
        for (value, field, limit) in [(overrideReason, "override_reason", FieldLimit.outcome), (externalRef, "external_ref", FieldLimit.reference),
                                      (deadline, "deadline", FieldLimit.reference), (notes, "notes", FieldLimit.notes)] {
            try StoreError.checkLength(value, field, limit)
        }
        guard consent == "given" || consent == "override" else {
            throw StoreError.invalid(field: "consent", message: "expected 'given' (the person agreed) or 'override' with override_reason")
        }
        if consent == "override" && (overrideReason ?? "").trimmingSpaces.isEmpty {
            throw StoreError.invalid(field: "override_reason", message: "a referral without consent needs the reason (e.g. immediate danger to a child)")
        }
        let deadlineAt = try deadline.map { try time.moment($0, field: "deadline") }
        let now = time.now()
        return try await writeWithReminders { db, jobs in
            let record = try Self.visibleCase(id: caseID, code: nil, actor: actor, db)
            if consent == "given", try !Self.hasReferralConsent(personID: record.personID, service: service, db) {
                throw StoreError.invalid(field: "consent", message: "person/\(record.personID) has no consent in force to share their data in a referral (purpose referral, referral:\(service) or data_sharing); record it with 'kawalctl consent add \(record.personID) --purpose referral …', or refer with an override and its reason (audited)")
            }
            guard let serviceID = try Int64.fetchOne(db, sql: "SELECT id FROM service WHERE code = ?", arguments: [service]) else {
                throw StoreError.invalid(field: "service", message: "no service with code '\(service)'; 'kawalctl service list' shows them")
            }
            var referral = ReferralRecord(id: nil, caseID: caseID, serviceID: serviceID, status: .sent, consent: consent,
                                          overrideReason: overrideReason, externalRef: externalRef, deadline: deadlineAt, notes: notes,
                                          version: 1, createdAt: now, updatedAt: now)
            try referral.insert(db)
            var event = CaseEventRecord(id: nil, caseID: caseID, at: now, actor: actor.label, kind: "referred", fromValue: nil, toValue: service, note: nil)
            try event.insert(db)
            try AuditLog.append(db, actor: actor, action: consent == "override" ? "referral.add_consent_override" : "referral.add",
                                object: "case/\(record.code)", detail: "referral/\(referral.id!) to \(service)")
            try self.caseChanged(db, caseID: caseID, occasion: .referral(id: referral.id!, service: service), now: now, jobs: jobs)
            return ReferralView(record: referral, caseCode: record.code, serviceCode: service)
        }
    }

    /// Changes a referral. Handlers may, for the referrals of cases in their scope. `version` nil:
    /// whatever is current (a handler's SMS names no version).
    public func updateReferral(id: Int64, version: Int64?, status: String?, externalRef: String?, deadline: String?, notes: String?,
                               actor: Actor) async throws -> ReferralView {
        try actor.require(.updateReferral)
        for (value, field, limit) in [(externalRef, "external_ref", FieldLimit.reference), (deadline, "deadline", FieldLimit.reference),
                                      (notes, "notes", FieldLimit.notes)] {
            try StoreError.checkLength(value, field, limit)
        }
        let status = try status.map { name throws(StoreError) in
            guard let status = ReferralStatus(rawValue: name) else {
                throw StoreError.invalid(field: "status", message: "expected one of \(ReferralStatus.valueList)")
            }
            return status
        }
        let deadlineAt = try deadline.map { try time.moment($0, field: "deadline") }
        let now = time.now()
        return try await pool.write { db in
            guard var referral = try ReferralRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "referral/\(id)") }
            do {
                _ = try Self.visibleCase(id: referral.caseID, code: nil, actor: actor, db)
            } catch StoreError.notFound {
                throw StoreError.notFound(object: "referral/\(id)")
            }
            try StoreError.checkVersion(of: "referral/\(id)", read: version ?? referral.version, current: referral.version)
            let before = referral.status
            if let status { referral.status = status }
            if let externalRef { referral.externalRef = externalRef }
            if let deadlineAt { referral.deadline = deadlineAt }
            if let notes { referral.notes = notes }
            referral.version += 1
            referral.updatedAt = now
            try referral.update(db)
            if let status, status != before {
                var event = CaseEventRecord(id: nil, caseID: referral.caseID, at: now, actor: actor.label, kind: "referral",
                                            fromValue: before.rawValue, toValue: status.rawValue, note: "referral/\(id)")
                try event.insert(db)
            }
            let view = try Self.referralViews([referral], db)[0]
            try AuditLog.append(db, actor: actor, action: "referral.update", object: "case/\(view.caseCode)", detail: "referral/\(id) \(referral.status)")
            return view
        }
    }

    public func referrals(caseID: Int64?, service: String?, status: String?, limit: Int?, after: String?, actor: Actor) async throws -> Page<ReferralView> {
        let pageSize = Self.pageLimit(limit)
        let afterID = try Self.cursorID(after)
        return try await pool.write { db in
            var request = ReferralRecord.all()
            if let afterID { request = request.filter(Column("id") > afterID) }
            if let caseID { request = request.filter(Column("caseID") == caseID) }
            if let status { request = request.filter(Column("status") == status) }
            if let service { request = request.filter(sql: "serviceID = (SELECT id FROM service WHERE code = ?)", arguments: [service]) }
            if let inScope = actor.scope.condition(handlerColumn: "handlerID") {
                request = request.filter(sql: "caseID IN (SELECT id FROM caseFile WHERE \(inScope))")
            }
            let records = try request.order(Column("id")).limit(pageSize + 1).fetchAll(db)
            let page = Array(records.prefix(pageSize))
            try AuditLog.append(db, actor: actor, action: "referral.list", object: "referral", detail: "\(page.count) shown")
            return Page(items: try Self.referralViews(page, db), next: records.count > pageSize ? page.last.map { String($0.id!) } : nil)
        }
    }
}
