import Crypto
import Foundation
import GRDB
@_exported import KawalDomain
import Synchronization

/// The case database: SQLite in WAL mode through GRDB, the only process that opens it being kawald.
/// Every write is one transaction, synced before it is acknowledged; every read or change of
/// personal data appends to the audit log in the same transaction.
///
/// ```swift
/// let store = try Store(directory: "/var/lib/kawal", time: TimeContext(zone: .current))
/// let (person, warnings) = try await store.addPerson(PersonInput(name: "Siti", village: "Sembalun"), force: false, actor: actor)
/// ```
public final class Store: Sendable {
    public let path: String
    /// The open database; replaced only by a restore (`Store+Backup.swift`).
    let current: Mutex<DatabasePool>
    var pool: DatabasePool { current.withLock { $0 } }
    public let time: TimeContext
    /// The installation's key for NIK hashes (duplicate detection without comparing NIKs in clear).
    let nikKey: Data
    /// Reminder rules and the scheduler's ear for jobs made by changes (Store+Reminders).
    let reminderHub = ReminderHub()

    /// Opens (creating if needed) `kawal.db` in `directory` and brings its schema up to date.
    public init(directory: String, time: TimeContext) throws {
        path = directory + "/kawal.db"
        self.time = time
        let pool = try Self.openPool(path: path)
        current = Mutex(pool)
        let (key, made) = try Self.loadOrCreateKey(at: directory + "/nik-hash.key")
        nikKey = key
        // A new key (first start, or the file was lost): every stored NIK's hash is made again with
        // it, or no NIK would find its person as a likely duplicate any more.
        nikHashesRemade = made ? try Self.rehashNIKs(pool, key: key) : 0
    }

    /// How many people's NIK hashes were made anew at start because `nik-hash.key` was missing
    /// (0 on a first start): kawald says so in the journal.
    public let nikHashesRemade: Int

    static func rehashNIKs(_ pool: DatabasePool, key: Data) throws -> Int {
        try pool.write { db in
            let people = try Row.fetchAll(db, sql: "SELECT id, nik FROM person WHERE nik IS NOT NULL")
            let update = try db.makeStatement(sql: "UPDATE person SET nikHash = ? WHERE id = ?")
            for person in people {
                let nik: String = person["nik"]
                let id: Int64 = person["id"]
                try update.execute(arguments: [Self.nikHash(nik, key: key), id])
            }
            return people.count
        }
    }

    static func openPool(path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.label = "kawal"
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Acknowledged writes must survive a crash or power loss: with WAL, FULL syncs each commit.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Statement journals, sorts and temporary tables stay in memory: nothing about a person
            // lands in a temporary file, and a big import is not written twice (a statement journal
            // of over a GiB for 100,000 imported rows otherwise).
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // What is deleted is overwritten with zeros, not left in free space: an erased person's
            // name must not be readable in the file with `strings` (see `forgetDeleted`).
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
        return pool
    }

    /// 32 random bytes, readable by kawald's user only, made when there is none (and then `made`).
    /// A file of another size is refused, not replaced: it may be the real key, damaged.
    static func loadOrCreateKey(at path: String) throws -> (key: Data, made: Bool) {
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count == 32 else {
                throw StoreError.invalid(field: "nik-hash.key", message: "\(path) holds \(data.count) bytes, not a 32-byte key: put back the copy kept with the age secret key, or remove the file to have kawald make a new key and compute every person's NIK hash again")
            }
            return (data, false)
        }
        let data = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        // Written, synced and renamed into place, then the folder synced: after a power cut the key
        // is there whole, or not at all (and then made again with the hashes).
        let temporary = path + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.invalid(field: "state_dir", message: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw StoreError.invalid(field: "state_dir", message: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
        return (data, true)
    }

    func nikHash(_ normalized: String) -> String { Self.nikHash(normalized, key: nikKey) }

    static func nikHash(_ normalized: String, key: Data) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: SymmetricKey(data: key)).hexEncoded
    }

    /// What `kawalctl status` shows about the database.
    public struct Summary: Sendable, Equatable {
        public var path: String
        public var schemaVersion: Int
        public var journalMode: String
        public var sizeBytes: Int64
        public var instanceID: String
        public var counts: [String: Int64]
        /// Jobs by state (pending, leased, done, dead, …).
        public var jobs: [String: Int64]
    }

    public func summary() async throws -> Summary {
        let path = self.path
        return try await pool.read { db in
            // One row per applied migration; reading the table is cheaper than building the migrator.
            let applied = try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") ?? 0
            let journalMode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "unknown"
            let pageCount = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            let instance = try String.fetchOne(db, sql: "SELECT id FROM instance") ?? ""
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM person) AS people,
                       (SELECT count(*) FROM caseFile) AS cases,
                       (SELECT count(*) FROM caseFile WHERE status IN ('new','assessment','in_progress','referred','reopened')) AS openCases,
                       (SELECT count(*) FROM followUp WHERE status = 'planned' AND dueAt < ?) AS overdue,
                       (SELECT count(*) FROM handler WHERE active) AS handlers
                """, arguments: [Date()])!
            let counts: [String: Int64] = [
                "people": row["people"], "cases": row["cases"], "open_cases": row["openCases"],
                "overdue_followups": row["overdue"], "active_handlers": row["handlers"],
            ]
            var jobs: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM job GROUP BY state") { jobs[row[0]] = row[1] }
            return Summary(path: path, schemaVersion: applied, journalMode: journalMode,
                           sizeBytes: pageCount * pageSize, instanceID: instance, counts: counts, jobs: jobs)
        }
    }

    /// Runs `PRAGMA quick_check`; returns the problems found (empty when the database is sound).
    public func quickCheck() async throws -> [String] {
        try await pool.read { db in
            let rows = try String.fetchAll(db, sql: "PRAGMA quick_check")
            return rows == ["ok"] ? [] : rows
        }
    }

    /// The handler whose login is `unixUser`, for mapping a caller to their cases.
    public func handlerID(forUnixUser unixUser: String) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM handler WHERE unixUser = ? AND active", arguments: [unixUser])
        }
    }

    /// The active handlers `handlerID` supervises: their cases are in the supervisor's scope.
    public func supervisedHandlers(of handlerID: Int64) async throws -> [Int64] {
        try await pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM handler WHERE supervisorID = ? AND active ORDER BY id", arguments: [handlerID])
        }
    }

    static func pageLimit(_ limit: Int?) -> Int {
        min(max(limit ?? 50, 1), 500)
    }

    static func cursorID(_ after: String?) throws(StoreError) -> Int64? {
        guard let after else { return nil }
        guard let id = Int64(after) else { throw .invalid(field: "after", message: "'\(after)' is not a cursor from a previous page") }
        return id
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal, two digits a byte.
    var hexEncoded: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension String {
    /// The text without the spaces and tabs around it, as `trimmingCharacters(in: .whitespaces)`
    /// leaves it, without Foundation's detour through NSString (an import trims every cell).
    var trimmingSpaces: String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(Substring(scalars[first...last]))
    }
}
