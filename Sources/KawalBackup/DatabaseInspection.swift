import Foundation
import GRDB

/// What a database file holds, for backups and restores: its schema and row counts, and whether
/// SQLite finds it sound. kawald checks its snapshots and restores with it, the backup plugin what
/// it decrypted.
///
/// ```swift
/// let inspection = try DatabaseInspection(file: "/var/lib/kawal/snapshots/.tmp-snapshot.db", knownMigrations: Store.migrations)
/// inspection.integrity // "ok"
/// ```
public struct DatabaseInspection: Sendable, Equatable {
    /// `PRAGMA integrity_check`: "ok", or the problems found.
    public var integrity: String
    /// Number of schema migrations applied.
    public var schemaVersion: Int
    /// Migrations the file has that are not among the `knownMigrations`: it comes from a newer Kawal.
    public var unknownMigrations: [String]
    /// Rows per table.
    public var counts: [String: Int64]
    public var sizeBytes: Int64

    public init(integrity: String, schemaVersion: Int, unknownMigrations: [String], counts: [String: Int64], sizeBytes: Int64) {
        self.integrity = integrity
        self.schemaVersion = schemaVersion
        self.unknownMigrations = unknownMigrations
        self.counts = counts
        self.sizeBytes = sizeBytes
    }

    /// Opens `file` read-only and checks it: integrity, schema, counts. Blocking.
    public init(file: String, knownMigrations: Set<String>) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "kawal-inspect"
        // Read through a memory map: the check reads every page once, and page-sized read(2)
        // calls would cost more than the check itself (the file is a snapshot nobody writes).
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA mmap_size = 17179869184") }
        let queue = try DatabaseQueue(path: file, configuration: configuration)
        defer { try? queue.close() }
        self = try queue.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
            let applied = try db.tableExists("grdb_migrations") ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
            let size = (try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0) * (try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
            return DatabaseInspection(integrity: integrity, schemaVersion: applied.count, unknownMigrations: applied.filter { !knownMigrations.contains($0) }.sorted(),
                                      counts: try Self.counts(db), sizeBytes: size)
        }
    }

    /// Rows per table, leaving out SQLite's and GRDB's own.
    public static func counts(_ db: Database) throws -> [String: Int64] {
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name
            """)
        var counts: [String: Int64] = [:]
        for table in tables {
            counts[table] = try Int64.fetchOne(db, sql: "SELECT count(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
        }
        return counts
    }
}
