import GRDB

extension Store {
    /// After rows about a person are deleted, SQLite still holds their words in two places that no
    /// query reaches but `strings kawal.db` does. `secure_delete` (set on every connection) zeroes
    /// the deleted rows themselves; this covers the rest, inside the deleting transaction:
    /// the full-text index only marks an entry deleted, its terms (a name, words of a note) stay in
    /// older index segments until they are merged, so they are merged now. It reads and rewrites
    /// the whole index (0.4 s for 200,000 entries): for erasures and retention purges, not for
    /// everyday edits.
    static func forgetDeleted(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO searchText (searchText) VALUES ('optimize')")
    }

    /// The write-ahead log still holds the pages as they were before the deletion, until a
    /// checkpoint copies the log into the database and the log is emptied. Best effort, after the
    /// deletion has committed (so it never turns a done erasure into a reported failure): a reader
    /// still on an older snapshot (a backup being written) keeps the log from being truncated;
    /// the next erasure or purge, or kawald's stop (SQLite checkpoints and removes the log when
    /// its last connection closes), empties it then.
    func emptyWriteAheadLog() async {
        _ = try? await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}
