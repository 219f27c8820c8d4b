import Foundation
import GRDB

/// The case database: SQLite in WAL mode through GRDB, the only process that opens it being kawald.
///
/// ```swift
/// let store = try Store(directory: "/var/lib/kawal")
/// let summary = try await store.summary()
/// ```
public final class Store: Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) `kawal.db` in `directory` and brings its schema up to date.
    public init(directory: String) throws {
        path = directory + "/kawal.db"
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.label = "kawal"
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Acknowledged writes must survive a crash or power loss: with WAL, FULL syncs each commit.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
    }

    /// What `kawalctl status` shows about the database.
    public struct Summary: Sendable, Equatable {
        public var path: String
        public var schemaVersion: Int
        public var journalMode: String
        public var sizeBytes: Int64
        public var instanceID: String
    }

    public func summary() async throws -> Summary {
        let path = self.path
        return try await pool.read { db in
            let applied = try Schema.migrator.appliedMigrations(db).count
            let journalMode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "unknown"
            let pageCount = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            let instance = try String.fetchOne(db, sql: "SELECT id FROM instance") ?? ""
            return Summary(path: path, schemaVersion: applied, journalMode: journalMode,
                           sizeBytes: pageCount * pageSize, instanceID: instance)
        }
    }

    /// Runs `PRAGMA quick_check`; returns the problems found (empty when the database is sound).
    public func quickCheck() async throws -> [String] {
        try await pool.read { db in
            let rows = try String.fetchAll(db, sql: "PRAGMA quick_check")
            return rows == ["ok"] ? [] : rows
        }
    }
}
