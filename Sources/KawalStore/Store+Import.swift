import Foundation
import GRDB
import KawalCore

/// Which value of a row holds which field: the layout an import session was begun with.
public struct ImportLayout: Sendable, Equatable {
    public let fields: [CaseImportField]
    let index: [CaseImportField: Int]

    /// Refuses unknown and repeated fields, and a layout without the fields every row needs.
    public init(fields names: [String]) throws(StoreError) {
        var fields: [CaseImportField] = []
        var index: [CaseImportField: Int] = [:]
        for name in names {
            guard let field = CaseImportField(rawValue: name) else {
                throw .invalid(field: "fields", message: "'\(name)' is not an import field; expected one of "
                               + CaseImportField.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard index[field] == nil else { throw .invalid(field: "fields", message: "'\(name)' is given twice") }
            index[field] = fields.count
            fields.append(field)
        }
        let missing = CaseImportField.required.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw .invalid(field: "fields", message: "every row needs \(missing.map(\.rawValue).joined(separator: ", "))")
        }
        self.fields = fields
        self.index = index
    }

    /// The row's value for `field`; an empty cell is no value.
    func value(_ field: CaseImportField, in values: [String]) -> String? {
        guard let position = index[field], position < values.count, !values[position].isEmpty else { return nil }
        return values[position]
    }
}

/// One row of an import as sent: its number in the file (the header is row 1) and its values in layout order.
public struct ImportRow: Sendable {
    public var number: Int64
    public var values: [String]

    public init(number: Int64, values: [String]) {
        self.number = number
        self.values = values
    }
}

/// Why a row was refused, naming the field (the client names its column).
public struct ImportRowError: Sendable, Equatable {
    public var row: Int64
    public var field: String
    public var message: String
}

/// A row that passed the checks, waiting for the commit.
public struct PreparedImportRow: Sendable {
    var person: PersonRecord
    var type: String
    var subtype: String?
    var risk: String
    var urgentSafety: Bool
    var summary: String?
    var notes: String?
    /// Nil: the moment of the commit.
    var openedAt: Date?
    var handler: String?
}

/// What an import wrote, or would write in a dry run.
public struct ImportCounts: Sendable, Equatable {
    public var rows = 0
    public var peopleCreated = 0
    public var peopleMatched = 0
    public var casesCreated = 0
}

extension Store {
    /// Checks rows with the rules of `addPerson` and `openCase`. Handler codes are looked up now and
    /// again at the commit (a handler may be deactivated in between).
    ///
    /// ```swift
    /// let layout = try ImportLayout(fields: ["name", "village", "type"])
    /// let (accepted, rejected) = try await store.prepareImport(layout, [ImportRow(number: 2, values: ["Siti", "Sembalun", "bpjs"])])
    /// ```
    public func prepareImport(_ layout: ImportLayout, _ rows: [ImportRow]) async throws -> (accepted: [PreparedImportRow], rejected: [ImportRowError]) {
        let now = time.now()
        let calendar = time.calendar
        let handlerCodes = Set(rows.compactMap { layout.value(.handler, in: $0.values) })
        let handlerProblems: [String: StoreError] = try await pool.read { db in
            var problems: [String: StoreError] = [:]
            for code in handlerCodes {
                do {
                    _ = try Self.handlerID(code: code, db)
                } catch let error as StoreError {
                    problems[code] = error
                }
            }
            return problems
        }
        var accepted: [PreparedImportRow] = []
        var rejected: [ImportRowError] = []
        accepted.reserveCapacity(rows.count)
        // Reports are dated by day: a few hundred distinct days among thousands of rows.
        var days: [String: Date] = [:]
        for row in rows {
            let values = row.values
            do {
                guard values.count == layout.fields.count else {
                    throw StoreError.invalid(field: "row", message: "has \(values.count) values for \(layout.fields.count) fields")
                }
                let person = try makePerson(PersonInput(
                    nik: layout.value(.nik, in: values), kkNumber: layout.value(.kkNumber, in: values), name: layout.value(.name, in: values),
                    sex: layout.value(.sex, in: values), birthDate: layout.value(.birthDate, in: values),
                    village: layout.value(.village, in: values), hamlet: layout.value(.hamlet, in: values),
                    phone: layout.value(.phone, in: values), guardian: layout.value(.guardian, in: values)))
                let type = try Self.checkedType(layout.value(.type, in: values))
                let risk = try Self.checkedRisk(layout.value(.risk, in: values) ?? "low")
                var urgentSafety = false
                if let flag = layout.value(.urgentSafety, in: values) {
                    guard let parsed = Bool(flag) else { throw StoreError.invalid(field: "urgent_safety", message: "\"\(flag)\" is not true or false") }
                    urgentSafety = parsed
                }
                var openedAt: Date?
                if let text = layout.value(.opened, in: values) {
                    let day = try TimeContext.calendarDay(text, field: "opened")
                    if days[day] == nil { days[day] = time.startOfDay(day, calendar: calendar) }
                    guard let start = days[day], start <= now else {
                        throw StoreError.invalid(field: "opened", message: "\"\(text)\" is in the future")
                    }
                    openedAt = start
                }
                let handler = layout.value(.handler, in: values)
                if let handler, let problem = handlerProblems[handler] { throw problem }
                try StoreError.checkLength(layout.value(.summary, in: values), "summary", FieldLimit.summary)
                try StoreError.checkLength(layout.value(.notes, in: values), "notes", FieldLimit.notes)
                try StoreError.checkLength(layout.value(.subtype, in: values), "subtype", FieldLimit.word)
                accepted.append(PreparedImportRow(
                    person: person, type: type, subtype: layout.value(.subtype, in: values), risk: risk, urgentSafety: urgentSafety,
                    summary: layout.value(.summary, in: values), notes: layout.value(.notes, in: values), openedAt: openedAt, handler: handler))
            } catch let error as StoreError {
                guard case .invalid(let field, let message) = error else { throw error }
                rejected.append(ImportRowError(row: row.number, field: field, message: message))
            }
        }
        return (accepted, rejected)
    }

    /// Writes the rows in one transaction: each row's person (or the person already recorded: same
    /// NIK, or same name, birth date and village, as `addPerson` finds them) and a new case. With
    /// `dryRun`, everything is done and rolled back, so the counts are exact. One audit event,
    /// with counts only.
    public func commitImport(_ rows: [PreparedImportRow], source: String, rejected: Int, dryRun: Bool, actor: Actor) async throws -> ImportCounts {
        try actor.require(.importCases)
        let now = time.now()
        return try await pool.writeWithoutTransaction { db in
            var counts = ImportCounts()
            try db.inTransaction(.immediate) {
                counts = try Self.writeImport(rows, now: now, actor: actor, db)
                if dryRun { return .rollback }
                try AuditLog.append(db, actor: actor, action: "case.import", object: "case", detail: Self.importDetail(source: source, counts: counts, rejected: rejected))
                return .commit
            }
            if dryRun {
                // Nothing was written, but people's records were read to find matches.
                try db.inTransaction {
                    try AuditLog.append(db, actor: actor, action: "case.import_dry_run", object: "case", detail: Self.importDetail(source: source, counts: counts, rejected: rejected))
                    return .commit
                }
            }
            return counts
        }
    }

    /// Counts only: the audit log never holds the records themselves.
    static func importDetail(source: String, counts: ImportCounts, rejected: Int) -> String {
        "file \(source): \(counts.rows) rows imported (\(counts.peopleCreated) people created, \(counts.peopleMatched) matched, "
            + "\(counts.casesCreated) cases opened), \(rejected) refused by kawald"
    }

    /// The fast path of an import. Rows are written in chunks, one multi-row INSERT per table and
    /// chunk: each statement that fires the full-text triggers makes SQLite's FTS5 flush its pending
    /// terms (a statement savepoint), so a statement per row costs several times the insert itself.
    static func writeImport(_ rows: [PreparedImportRow], now: Date, actor: Actor, _ db: Database) throws -> ImportCounts {
        // A big transaction outgrows SQLite's default 2 MiB page cache and spills pages to the WAL
        // mid-way; 64 MiB holds an import of 100,000 rows.
        let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        try db.execute(sql: "PRAGMA cache_size = -65536")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
        var writer = try ImportWriter(now: now, actor: actor, db)
        for row in rows {
            var match = try recordedPerson(like: row.person, db)
            if match == nil && writer.holdsSomeone(like: row.person) {
                // The same person came earlier in this import: write what waits, then look again.
                try writer.flush(db)
                match = try recordedPerson(like: row.person, db)
            }
            let handlerID = try row.handler.map { try writer.handlerID(code: $0, db) }
            if let match {
                writer.add(row, person: .existing(match), handlerID: handlerID)
            } else {
                writer.add(row, person: .new(row.person), handlerID: handlerID)
            }
            if writer.isFull { try writer.flush(db) }
        }
        try writer.flush(db)
        return writer.counts
    }
}

extension Store {
    /// The person an imported row is about, if already recorded: the first with the same NIK, else
    /// the first with the same name, birth date and village (what `duplicates(of:excluding:_:)`
    /// finds, reduced to the one id an import needs).
    static func recordedPerson(like person: PersonRecord, _ db: Database) throws -> Int64? {
        if let hash = person.nikHash,
           let id = try SQLiteBinding.firstInteger(db.cachedStatement(sql: "SELECT id FROM person WHERE \(sameNIK) ORDER BY id LIMIT 1"),
                                                   [hash.databaseValue], db) {
            return id
        }
        guard let birthDate = person.birthDate else { return nil }
        return try SQLiteBinding.firstInteger(
            db.cachedStatement(sql: "SELECT id FROM person WHERE \(sameIdentity) ORDER BY id LIMIT 1"),
            [person.nameKey.databaseValue, birthDate.databaseValue, person.village.databaseValue], db)
    }
}

/// Collects an import's rows and writes them a chunk at a time.
struct ImportWriter {
    enum PersonReference {
        case existing(Int64)
        case new(PersonRecord)
    }

    struct Pending {
        var row: PreparedImportRow
        var person: PersonReference
        var handlerID: Int64?
    }

    /// Rows per statement: the search index flushes its pending terms once per statement, so fewer
    /// and bigger statements (1,000 rows: 14,000 values, under SQLite's 32,766) write less (200
    /// rows took 9.7 s for 100,000, 1,000 take 8.9 s). A row that matches one waiting here ends
    /// the chunk early.
    static let chunkSize = 1000

    private(set) var counts = ImportCounts()
    private var pending: [Pending] = []
    /// `Store.identityKeys` of the new people waiting in `pending`.
    private var pendingKeys: Set<String> = []
    private var handlers: [String: Int64] = [:]
    private var openedStamps: [Date: DatabaseValue] = [:]
    private let codes: CaseCodes
    /// Dates as GRDB writes them: formatting each one anew would show in the profile.
    private let stamp: DatabaseValue
    private let actorLabel: String

    init(now: Date, actor: Actor, _ db: Database) throws {
        codes = try CaseCodes(year: Calendar(identifier: .gregorian).component(.year, from: now), db)
        stamp = now.databaseValue
        actorLabel = actor.label
    }

    var isFull: Bool { pending.count >= Self.chunkSize }

    func holdsSomeone(like person: PersonRecord) -> Bool {
        Store.identityKeys(of: person).contains { pendingKeys.contains($0) }
    }

    mutating func handlerID(code: String, _ db: Database) throws -> Int64 {
        if let known = handlers[code] { return known }
        let id = try Store.handlerID(code: code, db)
        handlers[code] = id
        return id
    }

    mutating func add(_ row: PreparedImportRow, person: PersonReference, handlerID: Int64?) {
        if case .new(let record) = person { pendingKeys.formUnion(Store.identityKeys(of: record)) }
        pending.append(Pending(row: row, person: person, handlerID: handlerID))
    }

    mutating func flush(_ db: Database) throws {
        guard !pending.isEmpty else { return }
        // New people first. Within one statement, AUTOINCREMENT numbers the rows one after the other.
        var people: [DatabaseValue] = []
        people.reserveCapacity(pending.count * 14)
        var newPeople = 0
        for item in pending {
            guard case .new(let person) = item.person else { continue }
            let warnings = person.nikWarnings.isEmpty ? "[]" : String(decoding: try JSONEncoder().encode(person.nikWarnings), as: UTF8.self)
            people += [Self.value(person.nik), Self.value(person.nikHash), warnings.databaseValue, Self.value(person.kkNumber), person.name.databaseValue,
                       person.nameKey.databaseValue, Self.value(person.sex), Self.value(person.birthDate), person.village.databaseValue,
                       Self.value(person.hamlet), Self.value(person.phone), Self.value(person.guardian), stamp, stamp]
            newPeople += 1
        }
        var nextPersonID: Int64 = 0
        if newPeople > 0 {
            try insert(db, """
                INSERT INTO person (nik, nikHash, nikWarnings, kkNumber, name, nameKey, sex, birthDate, village, hamlet, phone, guardian,
                                    createdAt, updatedAt)
                """, tuple: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows: newPeople, people)
            nextPersonID = db.lastInsertedRowID - Int64(newPeople) + 1
            counts.peopleCreated += newPeople
        }
        var cases: [DatabaseValue] = []
        cases.reserveCapacity(pending.count * 12)
        for (offset, item) in pending.enumerated() {
            let personID: Int64
            switch item.person {
            case .existing(let id):
                personID = id
                counts.peopleMatched += 1
            case .new:
                personID = nextPersonID
                nextPersonID += 1
            }
            var opened = stamp
            if let openedAt = item.row.openedAt {
                if openedStamps[openedAt] == nil { openedStamps[openedAt] = openedAt.databaseValue }
                opened = openedStamps[openedAt]!
            }
            let row = item.row
            cases += [codes.code(counts.casesCreated + offset).databaseValue, personID.databaseValue, row.type.databaseValue, Self.value(row.subtype),
                      row.risk.databaseValue, row.urgentSafety.databaseValue, Self.value(item.handlerID), row.person.village.databaseValue,
                      Self.value(row.summary), Self.value(row.notes), opened, stamp]
        }
        try insert(db, """
            INSERT INTO caseFile (code, personID, type, subtype, status, risk, urgentSafety, handlerID, village, summary, notes, openedAt,
                                  legalHold, version, updatedAt)
            """, tuple: "(?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, 0, 1, ?)", rows: pending.count, cases)
        // Every case is opened; some are also assigned. Two statements of fixed shape (one tuple per
        // case) instead of one whose size varies, so that full chunks reuse prepared statements.
        let firstCaseID = db.lastInsertedRowID - Int64(pending.count) + 1
        let actor = actorLabel.databaseValue
        var opened: [DatabaseValue] = []
        opened.reserveCapacity(pending.count * 3)
        var assigned: [DatabaseValue] = []
        for (offset, item) in pending.enumerated() {
            let caseID = (firstCaseID + Int64(offset)).databaseValue
            opened += [caseID, stamp, actor]
            if let handler = item.row.handler, item.handlerID != nil {
                assigned += [caseID, handler.databaseValue, stamp, actor]
            }
        }
        try insert(db, "INSERT INTO caseEvent (caseID, kind, fromValue, toValue, at, actor)",
                   tuple: "(?, 'opened', NULL, 'new', ?, ?)", rows: pending.count, opened)
        if !assigned.isEmpty {
            try insert(db, "INSERT INTO caseEvent (caseID, kind, fromValue, toValue, at, actor)",
                       tuple: "(?, 'assigned', NULL, ?, ?, ?)", rows: assigned.count / 4, assigned)
        }
        counts.casesCreated += pending.count
        counts.rows += pending.count
        pending.removeAll(keepingCapacity: true)
        pendingKeys.removeAll(keepingCapacity: true)
    }

    private static func value<Value: DatabaseValueConvertible>(_ value: Value?) -> DatabaseValue {
        value?.databaseValue ?? .null
    }

    /// `INSERT … VALUES tuple, tuple, …` with `rows` tuples; statements of a full chunk are prepared
    /// once. The values are bound straight to SQLite: at thousands of values per statement, going
    /// through `StatementArguments` (one existential each) shows in the profile.
    private func insert(_ db: Database, _ head: String, tuple: String, rows: Int, _ values: [DatabaseValue]) throws {
        let sql = head + " VALUES " + Array(repeating: tuple, count: rows).joined(separator: ", ")
        let statement = rows == Self.chunkSize ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
        try SQLiteBinding.execute(statement, values, db)
    }
}
