import Foundation
import GRDB
import KawalBackup
#if canImport(Glibc)
import Glibc
#endif

/// Why a restore was refused; the live database is untouched in every case.
public struct RestoreRefused: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

extension Store {
    /// Writes a consistent copy of the database to `path` with `VACUUM INTO`: one statement in one
    /// read transaction of its own, so writers keep working while it runs (WAL), and the copy is
    /// compact and has no WAL of its own. Check it with `DatabaseInspection(file:knownMigrations: Store.migrations)`.
    ///
    /// ```swift
    /// try await store.writeSnapshot(to: "/var/lib/kawal/backups/.tmp-snapshot.db")
    /// let inspection = try DatabaseInspection(file: "/var/lib/kawal/backups/.tmp-snapshot.db", knownMigrations: Store.migrations)
    /// ```
    public func writeSnapshot(to path: String) async throws {
        // The plain copy of every record is kawald's user's alone from its first byte: the empty
        // file is made 0600 (no symlink followed) and VACUUM INTO fills it. (It was 0640 with group
        // kawal, the handlers' group, and for a moment at the umask's mode.)
        unlink(path)
        let made = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard made >= 0 else {
            throw StoreError.invalid(field: "snapshot", message: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        close(made)
        try await pool.unsafeRead { db in
            try db.execute(sql: "VACUUM INTO ?", arguments: [path])
        }
    }

    /// The schema migrations this kawald knows: a database with others comes from a newer Kawal.
    public static var migrations: Set<String> { Set(Schema.migrator.migrations) }

    /// Rows per table in the live database.
    public func tableCounts() async throws -> [String: Int64] {
        try await pool.read { db in try DatabaseInspection.counts(db) }
    }

    /// Replaces the live database with the checked file at `staged` (in the same folder as the
    /// database, so that the rename is atomic). Writes are held back and the pool closed; the old
    /// file stays as `previousPath` (a hard link, made before the rename), the staged file is renamed
    /// over `kawal.db`, and the pool is opened again and migrated. A crash at any point leaves
    /// `kawal.db` either the old or the restored database. Refuses a damaged file and one from a
    /// newer schema without touching anything.
    public func replaceDatabase(with staged: String, previousPath: String, actor: Actor, detail: String) async throws -> (before: [String: Int64], after: DatabaseInspection) {
        let inspection = try await Task.detached { try DatabaseInspection(file: staged, knownMigrations: Self.migrations) }.value
        guard inspection.integrity == "ok" else {
            throw RestoreRefused(reason: "the restored database fails PRAGMA integrity_check (\(inspection.integrity.prefix(200))); nothing was changed")
        }
        guard inspection.unknownMigrations.isEmpty else {
            throw RestoreRefused(reason: "the backup comes from a newer Kawal (schema migrations \(inspection.unknownMigrations.joined(separator: ", ")) unknown to this kawald); upgrade kawald first; nothing was changed")
        }
        let before = try await tableCounts()
        let path = self.path
        try await Task.detached { [self] in
            try self.current.withLock { pool in
                // Everything in flight finishes; what waits behind the lock waits for the new pool.
                try pool.barrierWriteWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
                try pool.close()
                do {
                    try Self.swapFiles(path: path, staged: staged, previousPath: previousPath)
                } catch {
                    pool = try Self.openPool(path: path)
                    throw error
                }
                pool = try Self.openPool(path: path)
            }
        }.value
        // The backup may come from another server, whose NIK hashes used its own key: made again with
        // this server's, duplicate checks find the restored people by NIK.
        _ = try Self.rehashNIKs(pool, key: nikKey)
        try await pool.write { db in
            try AuditLog.append(db, actor: actor, action: "database.restore", object: "database", detail: detail)
        }
        let after = try await pool.read { db in
            DatabaseInspection(integrity: "ok", schemaVersion: try Schema.migrator.appliedMigrations(db).count, unknownMigrations: [],
                               counts: try DatabaseInspection.counts(db), sizeBytes: inspection.sizeBytes)
        }
        return (before, after)
    }

    private static func swapFiles(path: String, staged: String, previousPath: String) throws {
        func fail(_ what: String) -> RestoreRefused {
            RestoreRefused(reason: "\(what): \(String(cString: strerror(errno))); the live database was kept")
        }
        // A WAL left beside kawal.db would be replayed into the restored file: there must be none.
        var info = stat()
        if stat(path + "-wal", &info) == 0 {
            guard info.st_size == 0 else { throw RestoreRefused(reason: "\(path)-wal still holds changes after closing; the live database was kept") }
            unlink(path + "-wal")
        }
        unlink(path + "-shm")
        let stagedFD = open(staged, O_RDONLY | O_CLOEXEC)
        guard stagedFD >= 0, fsync(stagedFD) == 0 else { throw fail("cannot sync \(staged)") }
        close(stagedFD)
        guard link(path, previousPath) == 0 else { throw fail("cannot keep the previous database as \(previousPath)") }
        guard rename(staged, path) == 0 else {
            unlink(previousPath)
            throw fail("cannot move \(staged) to \(path)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }
}

extension Store {
    /// Writes to the audit log that `actor` had backup `id` checked against its manifest, and how it came out.
    public func recordBackupVerification(id: String, problem: String?, actor: Actor) async throws {
        try await pool.write { db in
            try AuditLog.append(db, actor: actor, action: "backup.verify", object: "backup/\(id)", detail: problem.map { "failed: \($0)" } ?? "ok")
        }
    }

    /// When a backup was last read back successfully: a verification that passed, or a restore.
    public func lastBackupVerification() async throws -> Date? {
        try await pool.read { db in
            try Date.fetchOne(db, sql: """
                SELECT max(at) FROM auditEvent WHERE (action = 'backup.verify' AND detail = 'ok') OR action = 'database.restore'
                """)
        }
    }
}
