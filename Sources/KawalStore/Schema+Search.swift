import GRDB

extension Schema {
    /// v6-search-by-rowid: the full-text index keyed by its rowid, a person's entry at `2 × id` and
    /// a case's at `2 × id + 1`. The v2 triggers found an entry by its UNINDEXED `kind` and `ref`,
    /// which FTS5 answers by reading every entry: 127 ms for each change of a name or a note with
    /// 100,000 people and cases, growing with the office's records, all of it under the write lock.
    /// By rowid it is a b-tree lookup (4 ms). The index is rebuilt from the records.
    static func searchByRowID(_ db: Database) throws {
        try db.execute(sql: """
            DROP TRIGGER person_search_insert;
            DROP TRIGGER person_search_update;
            DROP TRIGGER person_search_delete;
            DROP TRIGGER case_search_insert;
            DROP TRIGGER case_search_update;
            DROP TRIGGER case_search_delete;
            DROP TABLE searchText;
            CREATE VIRTUAL TABLE searchText USING fts5(kind UNINDEXED, ref UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2');
            INSERT INTO searchText (rowid, kind, ref, body)
              SELECT 2 * id, 'person', id, name || ' ' || coalesce(notes, '') FROM person;
            INSERT INTO searchText (rowid, kind, ref, body)
              SELECT 2 * id + 1, 'case', id, code || ' ' || coalesce(summary, '') || ' ' || coalesce(notes, '') FROM caseFile;
            CREATE TRIGGER person_search_insert AFTER INSERT ON person BEGIN
              INSERT INTO searchText (rowid, kind, ref, body) VALUES (2 * new.id, 'person', new.id, new.name || ' ' || coalesce(new.notes, ''));
            END;
            CREATE TRIGGER person_search_update AFTER UPDATE OF name, notes ON person BEGIN
              DELETE FROM searchText WHERE rowid = 2 * old.id;
              INSERT INTO searchText (rowid, kind, ref, body) VALUES (2 * new.id, 'person', new.id, new.name || ' ' || coalesce(new.notes, ''));
            END;
            CREATE TRIGGER person_search_delete AFTER DELETE ON person BEGIN
              DELETE FROM searchText WHERE rowid = 2 * old.id;
            END;
            CREATE TRIGGER case_search_insert AFTER INSERT ON caseFile BEGIN
              INSERT INTO searchText (rowid, kind, ref, body)
                VALUES (2 * new.id + 1, 'case', new.id, new.code || ' ' || coalesce(new.summary, '') || ' ' || coalesce(new.notes, ''));
            END;
            CREATE TRIGGER case_search_update AFTER UPDATE OF summary, notes ON caseFile BEGIN
              DELETE FROM searchText WHERE rowid = 2 * old.id + 1;
              INSERT INTO searchText (rowid, kind, ref, body)
                VALUES (2 * new.id + 1, 'case', new.id, new.code || ' ' || coalesce(new.summary, '') || ' ' || coalesce(new.notes, ''));
            END;
            CREATE TRIGGER case_search_delete AFTER DELETE ON caseFile BEGIN
              DELETE FROM searchText WHERE rowid = 2 * old.id + 1;
            END;
            """)
    }
}
