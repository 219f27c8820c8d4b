import Foundation
import GRDB

extension Store {
    /// Adds a person. A likely duplicate (same NIK, or same name, birth date and village) is
    /// refused unless `force` is set; forcing is audited.
    public func addPerson(_ input: PersonInput, force: Bool, actor: Actor) async throws -> (PersonRecord, [String]) {
        try actor.require(.addPerson)
        var person = try makePerson(input)
        let now = time.now()
        person.createdAt = now
        person.updatedAt = now
        let candidate = person
        return try await pool.write { db in
            let duplicates = try Self.duplicates(of: candidate, excluding: nil, db)
            if !duplicates.isEmpty && !force { throw StoreError.duplicateSuspected(duplicates) }
            var inserted = candidate
            try inserted.insert(db)
            let object = "person/\(inserted.id!)"
            try AuditLog.append(db, actor: actor, action: "person.create", object: object,
                                detail: duplicates.isEmpty ? nil : "forced past likely duplicates: \(duplicates.map { "person/\($0.id)" }.joined(separator: ","))")
            return (inserted, inserted.nikWarnings)
        }
    }

    func makePerson(_ input: PersonInput) throws -> PersonRecord {
        guard let name = input.name?.trimmingSpaces, !name.isEmpty else {
            throw StoreError.invalid(field: "name", message: "a person needs a name")
        }
        guard let village = input.village?.trimmingSpaces, !village.isEmpty else {
            throw StoreError.invalid(field: "village", message: "a person needs a village (desa)")
        }
        var person = PersonRecord(id: nil, nik: nil, nikHash: nil, nikWarnings: [], kkNumber: nil, name: name, nameKey: "",
                                  sex: nil, birthDate: nil, village: village, hamlet: nil, phone: nil, vulnerabilities: [],
                                  disabilityType: nil, guardian: nil, documents: [], notes: nil, version: 1,
                                  createdAt: Date(), updatedAt: Date())
        try apply(input, to: &person)
        return person
    }

    /// Applies the given fields, normalising and checking them; recomputes the NIK warnings.
    func apply(_ input: PersonInput, to person: inout PersonRecord) throws {
        try input.checkLengths()
        if let name = input.name {
            let trimmed = name.trimmingSpaces
            guard !trimmed.isEmpty else { throw StoreError.invalid(field: "name", message: "a person needs a name") }
            person.name = trimmed
        }
        person.nameKey = PersonRecord.nameKey(person.name)
        if let village = input.village {
            let trimmed = village.trimmingSpaces
            guard !trimmed.isEmpty else { throw StoreError.invalid(field: "village", message: "a person needs a village (desa)") }
            person.village = trimmed
        }
        if let sex = input.sex {
            guard sex == "female" || sex == "male" else { throw StoreError.invalid(field: "sex", message: "'\(sex)' is not female or male") }
            person.sex = sex
        }
        if let birthDate = input.birthDate {
            person.birthDate = birthDate.isEmpty ? nil : try TimeContext.calendarDay(birthDate, field: "birth_date")
        }
        if let kk = input.kkNumber {
            let digits = kk.filter { $0 != " " && $0 != "." && $0 != "-" }
            guard digits.isEmpty || (digits.count == 16 && digits.allSatisfy(\.isASCIIDigit)) else {
                throw StoreError.invalid(field: "kk_number", message: "a KK number has 16 digits")
            }
            person.kkNumber = digits.isEmpty ? nil : digits
        }
        if let phone = input.phone { person.phone = try Self.normalizePhone(phone) }
        if let hamlet = input.hamlet { person.hamlet = hamlet.isEmpty ? nil : hamlet }
        if let vulnerabilities = input.vulnerabilities { person.vulnerabilities = Array(Set(vulnerabilities)).sorted() }
        if let disability = input.disabilityType { person.disabilityType = disability.isEmpty ? nil : disability }
        if let guardian = input.guardian { person.guardian = guardian.isEmpty ? nil : guardian }
        if let documents = input.documents { person.documents = Array(Set(documents)).sorted() }
        if let notes = input.notes { person.notes = notes.isEmpty ? nil : notes }
        if let nik = input.nik {
            let trimmed = nik.trimmingSpaces
            if trimmed.isEmpty {
                person.nik = nil
                person.nikHash = nil
                person.nikWarnings = []
            } else {
                let evaluation = NIKEvaluation(trimmed, sex: person.sex, birthDate: person.birthDate)
                person.nik = evaluation.normalized
                person.nikHash = nikHash(evaluation.normalized)
                person.nikWarnings = evaluation.warnings
            }
        } else {
            // Sex and birth date may have changed: the NIK is compared with them again.
            person.nikWarnings = person.nik.map { NIKEvaluation($0, sex: person.sex, birthDate: person.birthDate).warnings } ?? []
        }
    }

    /// Indonesian numbers as +62…: `0812-3456-789` and `62812…` become `+62812…`.
    public static func normalizePhone(_ raw: String) throws -> String? {
        let digits = raw.filter { $0.isASCIIDigit || $0 == "+" }
        if digits.isEmpty { return nil }
        var number = digits
        if number.hasPrefix("+") { number.removeFirst() }
        if number.hasPrefix("0") { number = "62" + number.dropFirst() }
        guard number.allSatisfy(\.isASCIIDigit), number.hasPrefix("62"), (9...15).contains(number.count) else {
            throw StoreError.invalid(field: "phone", message: "'\(raw)' is not an Indonesian phone number (expected 08…, 628… or +628…)")
        }
        return "+" + number
    }

    /// People who are likely `person`: the same NIK, or the same name, birth date and village.
    static func duplicates(of person: PersonRecord, excluding id: Int64?, _ db: Database) throws -> [DuplicateCandidate] {
        var candidates: [DuplicateCandidate] = []
        func collect(_ statement: Statement, _ arguments: StatementArguments, reason: String) throws {
            let rows = try Row.fetchCursor(statement, arguments: arguments)
            while let row = try rows.next() {
                let candidate: Int64 = row["id"]
                guard candidate != id, !candidates.contains(where: { $0.id == candidate }) else { continue }
                candidates.append(DuplicateCandidate(id: candidate, name: row["name"], village: row["village"], birthDate: row["birthDate"], reason: reason))
            }
        }
        if let hash = person.nikHash {
            try collect(db.cachedStatement(sql: "SELECT id, name, village, birthDate FROM person WHERE \(sameNIK) ORDER BY id"), [hash],
                        reason: "same NIK")
        }
        if let birthDate = person.birthDate {
            try collect(db.cachedStatement(sql: "SELECT id, name, village, birthDate FROM person WHERE \(sameIdentity) ORDER BY id"),
                        [person.nameKey, birthDate, person.village], reason: "same name, birth date and village")
        }
        return candidates
    }

    /// What makes two people likely the same, as SQL conditions: `duplicates(of:excluding:_:)` and
    /// the import's `recordedPerson(like:_:)` ask the same questions. Arguments: the NIK hash; the
    /// name key, birth date and village.
    static let sameNIK = "nikHash = ?"
    static let sameIdentity = "nameKey = ? AND birthDate = ? AND village = ?"

    /// What `duplicates(of:excluding:_:)` compares, as keys: for people an import holds before writing them.
    static func identityKeys(of person: PersonRecord) -> [String] {
        var keys: [String] = []
        if let hash = person.nikHash { keys.append("nik\u{1F}" + hash) }
        if let birthDate = person.birthDate { keys.append("person\u{1F}\(person.nameKey)\u{1F}\(birthDate)\u{1F}\(person.village)") }
        return keys
    }

    /// One person with their consent records; handlers may read only people of their own cases.
    /// `reveal` (admins only) is audited as such.
    public func person(id: Int64, reveal: Bool, actor: Actor) async throws -> (PersonRecord, [ConsentRecord]) {
        if reveal { try actor.require(.revealNIK) }
        return try await pool.write { db in
            guard let person = try PersonRecord.fetchOne(db, key: id), try Self.mayRead(personID: id, actor: actor, db) else {
                throw StoreError.notFound(object: "person/\(id)")
            }
            let consents = try ConsentRecord.filter(Column("personID") == id).order(Column("recordedAt")).fetchAll(db)
            try AuditLog.append(db, actor: actor, action: reveal ? "person.reveal_nik" : "person.read", object: "person/\(id)")
            return (person, consents)
        }
    }

    static func mayRead(personID: Int64, actor: Actor, _ db: Database) throws -> Bool {
        guard let inScope = actor.scope.condition(handlerColumn: "handlerID") else { return true }
        return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM caseFile WHERE personID = ? AND \(inScope))",
                                 arguments: [personID]) ?? false
    }

    public struct PersonListing: Sendable {
        public var person: PersonRecord
        public var openCases: Int64
    }

    /// People in id order; handlers see only the people of their cases.
    public func people(village: String?, name: String?, limit: Int?, after: String?, actor: Actor) async throws -> Page<PersonListing> {
        let pageSize = Self.pageLimit(limit)
        let afterID = try Self.cursorID(after)
        return try await pool.write { db in
            var request = PersonRecord.all()
            if let afterID { request = request.filter(Column("id") > afterID) }
            if let village { request = request.filter(Column("village") == village) }
            if let name { request = request.filter(Column("nameKey").like("%\(PersonRecord.nameKey(name))%")) }
            if let inScope = actor.scope.condition(handlerColumn: "handlerID") {
                request = request.filter(sql: "id IN (SELECT personID FROM caseFile WHERE \(inScope))")
            }
            let people = try request.order(Column("id")).limit(pageSize + 1).fetchAll(db)
            let page = Array(people.prefix(pageSize))
            var listings: [PersonListing] = []
            for person in page {
                let open = try Int64.fetchOne(db, sql: """
                    SELECT count(*) FROM caseFile WHERE personID = ? AND status IN ('new','assessment','in_progress','referred','reopened')
                    """, arguments: [person.id!]) ?? 0
                listings.append(PersonListing(person: person, openCases: open))
            }
            try AuditLog.append(db, actor: actor, action: "person.list", object: "person",
                                detail: "\(listings.count) shown" + (village.map { _ in ", village filter" } ?? "") + (name.map { _ in ", name filter" } ?? ""))
            return Page(items: listings, next: people.count > pageSize ? page.last.map { String($0.id!) } : nil)
        }
    }

    /// Changes a person; refuses a stale `version` with a conflict.
    public func updatePerson(id: Int64, version: Int64, changes: PersonInput, actor: Actor) async throws -> (PersonRecord, [String]) {
        try actor.require(.changePerson)
        let now = time.now()
        return try await pool.write { db in
            guard var person = try PersonRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "person/\(id)") }
            try StoreError.checkVersion(of: "person/\(id)", read: version, current: person.version)
            try self.apply(changes, to: &person)
            person.version += 1
            person.updatedAt = now
            try person.update(db)
            try AuditLog.append(db, actor: actor, action: "person.update", object: "person/\(id)",
                                detail: "fields: " + changes.givenFields.joined(separator: ","))
            return (person, person.nikWarnings)
        }
    }

    public func recordConsent(personID: Int64, purpose: String, granted: Bool, method: String, note: String?, actor: Actor) async throws -> ConsentRecord {
        try actor.require(.recordConsent)
        let now = time.now()
        return try await pool.write { db in
            guard let person = try PersonRecord.fetchOne(db, key: personID) else { throw StoreError.notFound(object: "person/\(personID)") }
            let today = self.time.calendarDay(of: now)
            // A child's consent comes from a guardian (UU PDP Art. 25), however it is recorded.
            if granted, method != "guardian", let birthDate = person.birthDate, Self.age(birthDate: birthDate, on: today) < 18 {
                throw StoreError.invalid(field: "method", message: "person/\(personID) is under 18 (born \(birthDate)): a child's consent is given by a guardian; record it with method guardian, or with 'kawalctl consent add \(personID) --guardian NAME'")
            }
            var consent = ConsentRecord(id: nil, personID: personID, purpose: purpose, granted: granted, method: method,
                                        recordedAt: now, recordedBy: actor.label, note: note, givenOn: today,
                                        givenBy: method == "guardian" ? "guardian" : "self")
            try consent.insert(db)
            try AuditLog.append(db, actor: actor, action: "consent.record", object: "person/\(personID)",
                                detail: "\(purpose): \(granted ? "granted" : "refused")")
            return consent
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
