import Foundation
import GRDB

extension Store {
    static let consentMethods = ["written", "recorded"]
    static let consentGivers = ["self", "guardian"]
    /// Consent purposes that allow sharing a person's data with a service in a referral.
    static func referralConsentPurposes(service: String) -> [String] { ["referral", "referral:\(service)", "data_sharing"] }

    /// Adds a consent to the register: who agreed (the person, or a guardian for a child under 18,
    /// judged from the birth date on the day it was given), how (written, recorded), when, and
    /// where the proof is. A consent is never changed; it can be withdrawn.
    public func addConsent(personID: Int64, purpose: String, method: String, givenOn: String?, givenBy: String?, guardianName: String?,
                           proofRef: String?, note: String?, actor: Actor) async throws -> ConsentRecord {
        try actor.require(.recordConsent)
        let purpose = purpose.trimmingSpaces.lowercased()
        guard !purpose.isEmpty, purpose.allSatisfy({ $0.isLetter || $0.isASCIIDigit || $0 == "_" || $0 == ":" || $0 == "-" }) else {
            throw StoreError.invalid(field: "purpose", message: "'\(purpose)' is not a purpose: one word such as data_processing, referral, referral:dukcapil, contact_sms")
        }
        guard Self.consentMethods.contains(method) else {
            throw StoreError.invalid(field: "method", message: "'\(method)' is not a consent method: expected written (a signed or thumbprinted form) or recorded (an audio or video recording)")
        }
        let giver = givenBy ?? "self"
        guard Self.consentGivers.contains(giver) else {
            throw StoreError.invalid(field: "given_by", message: "'\(giver)' is not who gave consent: expected self or guardian")
        }
        let today = time.calendarDay(of: time.now())
        let day = try givenOn.map { try TimeContext.calendarDay($0, field: "given_on") } ?? today
        guard day <= today else { throw StoreError.invalid(field: "given_on", message: "\(day) is in the future") }
        let guardian = guardianName?.trimmingSpaces
        if giver == "guardian" && (guardian ?? "").isEmpty {
            throw StoreError.invalid(field: "guardian_name", message: "consent given by a guardian needs the guardian's name")
        }
        let now = time.now()
        return try await pool.write { db in
            guard let person = try PersonRecord.fetchOne(db, key: personID) else { throw StoreError.notFound(object: "person/\(personID)") }
            if let birthDate = person.birthDate, Self.age(birthDate: birthDate, on: day) < 18, giver != "guardian" {
                throw StoreError.invalid(field: "given_by", message: "person/\(personID) was under 18 on \(day) (born \(birthDate)): a child's consent is given by a guardian; give given_by guardian and the guardian's name")
            }
            var consent = ConsentRecord(id: nil, personID: personID, purpose: purpose, granted: true, method: method, recordedAt: now,
                                        recordedBy: actor.label, note: note, givenOn: day, givenBy: giver,
                                        guardianName: giver == "guardian" ? guardian : nil, proofRef: proofRef)
            try consent.insert(db)
            try AuditLog.append(db, actor: actor, action: "consent.add", object: "person/\(personID)",
                                detail: "consent/\(consent.id!) \(purpose), \(method), by \(giver)")
            return consent
        }
    }

    /// Whole years between a `YYYY-MM-DD` birth date and a `YYYY-MM-DD` day.
    static func age(birthDate: String, on day: String) -> Int {
        guard let birth = TimeContext.calendarDate(birthDate), let date = TimeContext.calendarDate(day) else { return 0 }
        return date.year - birth.year - ((date.month, date.day) < (birth.month, birth.day) ? 1 : 0)
    }

    /// Withdraws a consent: it stays in the register, marked withdrawn, and stops counting from now.
    public func withdrawConsent(id: Int64, reason: String?, actor: Actor) async throws -> ConsentRecord {
        try actor.require(.withdrawConsent)
        let now = time.now()
        return try await pool.write { db in
            guard var consent = try ConsentRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "consent/\(id)") }
            guard consent.withdrawnAt == nil else {
                throw StoreError.invalid(field: "id", message: "consent/\(id) was withdrawn already on \(self.time.display(consent.withdrawnAt!))")
            }
            consent.withdrawnAt = now
            consent.withdrawalReason = reason
            try consent.update(db)
            try AuditLog.append(db, actor: actor, action: "consent.withdraw", object: "person/\(consent.personID)",
                                detail: "consent/\(id) \(consent.purpose)")
            return consent
        }
    }

    /// The consent register, oldest first: for one person, or for everyone.
    public func consents(personID: Int64?, purpose: String?, activeOnly: Bool, actor: Actor) async throws -> [ConsentRecord] {
        try actor.require(.readConsentRegister)
        return try await pool.write { db in
            var request = ConsentRecord.all()
            if let personID { request = request.filter(Column("personID") == personID) }
            if let purpose { request = request.filter(Column("purpose") == purpose) }
            if activeOnly { request = request.filter(Column("granted") == true && Column("withdrawnAt") == nil) }
            let consents = try request.order(Column("personID"), Column("id")).fetchAll(db)
            try AuditLog.append(db, actor: actor, action: "consent.list", object: personID.map { "person/\($0)" } ?? "consent",
                                detail: "\(consents.count) shown")
            return consents
        }
    }

    /// Whether the person has a consent in force that lets a referral to `service` share their data.
    static func hasReferralConsent(personID: Int64, service: String, _ db: Database) throws -> Bool {
        let purposes = referralConsentPurposes(service: service)
        return try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM consent WHERE personID = ? AND granted AND withdrawnAt IS NULL AND purpose IN (?, ?, ?))
            """, arguments: [personID, purposes[0], purposes[1], purposes[2]]) ?? false
    }
}
