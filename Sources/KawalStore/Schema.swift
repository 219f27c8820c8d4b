import Foundation
import GRDB

/// The schema's one history: migrations registered once, in order, never edited after they ship.
enum Schema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-instance") { db in
            // Identifies this database across backups and restores: a restored copy keeps its id.
            try db.create(table: "instance") { t in
                t.primaryKey("id", .text)
                t.column("created_at", .text).notNull()
            }
            try db.execute(sql: "INSERT INTO instance (id, created_at) VALUES (?, ?)",
                           arguments: [UUID().uuidString.lowercased(), ISO8601DateFormatter().string(from: Date())])
        }
        migrator.registerMigration("v2-records", migrate: createRecords)
        migrator.registerMigration("v3-jobs") { db in
            try db.create(table: "job") { t in
                t.autoIncrementedPrimaryKey("id")
                // The capability that carries it out, e.g. notify.email, backup.
                t.column("kind", .text).notNull()
                t.column("payload", .text).notNull()
                t.column("dueAt", .datetime).notNull()
                t.column("idempotencyKey", .text).notNull().unique()
                // pending, leased, done, dead, stale, cancelled
                t.column("state", .text).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("leaseOwner", .text)
                t.column("leaseExpiresAt", .datetime)
                t.column("lastError", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(index: "job_state_due", on: "job", columns: ["state", "dueAt"])
        }
        migrator.registerMigration("v4-reminders", migrate: createReminders)
        migrator.registerMigration("v5-privacy", migrate: createPrivacy)
        migrator.registerMigration("v6-search-by-rowid", migrate: searchByRowID)
        migrator.registerMigration("v7-job-payload-forgotten") { db in
            // When a finished job's payload (addresses, phone numbers, message text) was blanked.
            try db.alter(table: "job") { t in t.add(column: "payloadForgottenAt", .datetime) }
        }
        migrator.registerMigration("v8-inbound", migrate: createInbound)
        return migrator
    }()

    static func createRecords(_ db: Database) throws {
        try db.create(table: "handler") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("code", .text).notNull().unique()
            t.column("name", .text).notNull()
            t.column("unixUser", .text).unique()
            t.column("phone", .text)
            t.column("email", .text)
            t.column("language", .text).notNull().defaults(to: "id")
            t.column("villages", .jsonText).notNull().defaults(to: "[]")
            t.column("supervisorID", .integer).references("handler", onDelete: .setNull)
            t.column("active", .boolean).notNull().defaults(to: true)
            t.column("version", .integer).notNull().defaults(to: 1)
            t.column("createdAt", .datetime).notNull()
            t.column("updatedAt", .datetime).notNull()
        }
        try db.create(table: "service") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("code", .text).notNull().unique()
            t.column("name", .text).notNull()
            t.column("kind", .text).notNull()
            t.column("contact", .text)
        }
        // The directory the seed's work refers cases to; offices add their own.
        for (code, name, kind) in [
            ("dukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "dukcapil"),
            ("bpjs", "BPJS Kesehatan", "bpjs"),
            ("dinsos", "Dinas Sosial", "dinsos"),
            ("uptd-ppa", "UPTD Perlindungan Perempuan dan Anak", "uptd_ppa"),
            ("puskesmas", "Puskesmas", "puskesmas"),
            ("pengadilan-agama", "Pengadilan Agama", "religious_court"),
        ] {
            try db.execute(sql: "INSERT INTO service (code, name, kind) VALUES (?, ?, ?)", arguments: [code, name, kind])
        }
        try db.create(table: "person") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("nik", .text)
            t.column("nikHash", .text).indexed()
            t.column("nikWarnings", .jsonText).notNull().defaults(to: "[]")
            t.column("kkNumber", .text)
            t.column("name", .text).notNull()
            t.column("nameKey", .text).notNull()
            t.column("sex", .text)
            t.column("birthDate", .text)
            t.column("village", .text).notNull()
            t.column("hamlet", .text)
            t.column("phone", .text)
            t.column("vulnerabilities", .jsonText).notNull().defaults(to: "[]")
            t.column("disabilityType", .text)
            t.column("guardian", .text)
            t.column("documents", .jsonText).notNull().defaults(to: "[]")
            t.column("notes", .text)
            t.column("version", .integer).notNull().defaults(to: 1)
            t.column("createdAt", .datetime).notNull()
            t.column("updatedAt", .datetime).notNull()
        }
        try db.create(index: "person_identity", on: "person", columns: ["nameKey", "birthDate", "village"])
        try db.create(table: "consent") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("personID", .integer).notNull().indexed().references("person", onDelete: .cascade)
            t.column("purpose", .text).notNull()
            t.column("granted", .boolean).notNull()
            t.column("method", .text).notNull()
            t.column("recordedAt", .datetime).notNull()
            t.column("recordedBy", .text).notNull()
            t.column("note", .text)
        }
        try db.create(table: "caseFile") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("code", .text).notNull().unique()
            t.column("personID", .integer).notNull().indexed().references("person", onDelete: .restrict)
            t.column("type", .text).notNull()
            t.column("subtype", .text)
            t.column("status", .text).notNull()
            t.column("risk", .text).notNull()
            t.column("urgentSafety", .boolean).notNull().defaults(to: false)
            t.column("handlerID", .integer).indexed().references("handler", onDelete: .setNull)
            t.column("village", .text).notNull()
            t.column("summary", .text)
            t.column("notes", .text)
            t.column("reporter", .jsonText)
            t.column("openedAt", .datetime).notNull()
            t.column("dueAt", .datetime)
            t.column("resolvedAt", .datetime)
            t.column("closedAt", .datetime)
            t.column("legalHold", .boolean).notNull().defaults(to: false)
            t.column("version", .integer).notNull().defaults(to: 1)
            t.column("updatedAt", .datetime).notNull()
        }
        try db.create(index: "case_open", on: "caseFile", columns: ["status", "village", "type"])
        try db.create(table: "caseEvent") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("caseID", .integer).notNull().indexed().references("caseFile", onDelete: .cascade)
            t.column("at", .datetime).notNull()
            t.column("actor", .text).notNull()
            t.column("kind", .text).notNull()
            t.column("fromValue", .text)
            t.column("toValue", .text)
            t.column("note", .text)
        }
        try db.create(table: "followUp") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("caseID", .integer).notNull().indexed().references("caseFile", onDelete: .cascade)
            t.column("kind", .text).notNull()
            t.column("dueAt", .datetime).notNull()
            t.column("windowHours", .integer)
            t.column("status", .text).notNull()
            t.column("outcome", .text)
            t.column("contactMade", .boolean)
            t.column("attempt", .integer).notNull().defaults(to: 1)
            t.column("doneAt", .datetime)
            t.column("notes", .text)
            t.column("version", .integer).notNull().defaults(to: 1)
            t.column("createdAt", .datetime).notNull()
        }
        try db.create(index: "followup_due", on: "followUp", columns: ["status", "dueAt"])
        try db.create(table: "referral") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("caseID", .integer).notNull().indexed().references("caseFile", onDelete: .cascade)
            t.column("serviceID", .integer).notNull().references("service", onDelete: .restrict)
            t.column("status", .text).notNull()
            t.column("consent", .text).notNull()
            t.column("overrideReason", .text)
            t.column("externalRef", .text)
            t.column("deadline", .datetime)
            t.column("notes", .text)
            t.column("version", .integer).notNull().defaults(to: 1)
            t.column("createdAt", .datetime).notNull()
            t.column("updatedAt", .datetime).notNull()
        }
        try db.create(table: "auditEvent") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("at", .datetime).notNull()
            t.column("actorUID", .integer).notNull()
            t.column("actorPID", .integer).notNull()
            t.column("actorRole", .text).notNull()
            t.column("action", .text).notNull()
            t.column("object", .text).notNull().indexed()
            t.column("detail", .text)
            t.column("previousHash", .text).notNull()
            t.column("hash", .text).notNull()
        }
        // Full-text search over names, summaries and notes; kept in step by triggers.
        try db.execute(sql: """
            CREATE VIRTUAL TABLE searchText USING fts5(kind UNINDEXED, ref UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2');
            CREATE TRIGGER person_search_insert AFTER INSERT ON person BEGIN
              INSERT INTO searchText (kind, ref, body) VALUES ('person', new.id, new.name || ' ' || coalesce(new.notes, ''));
            END;
            CREATE TRIGGER person_search_update AFTER UPDATE OF name, notes ON person BEGIN
              DELETE FROM searchText WHERE kind = 'person' AND ref = old.id;
              INSERT INTO searchText (kind, ref, body) VALUES ('person', new.id, new.name || ' ' || coalesce(new.notes, ''));
            END;
            CREATE TRIGGER person_search_delete AFTER DELETE ON person BEGIN
              DELETE FROM searchText WHERE kind = 'person' AND ref = old.id;
            END;
            CREATE TRIGGER case_search_insert AFTER INSERT ON caseFile BEGIN
              INSERT INTO searchText (kind, ref, body) VALUES ('case', new.id, new.code || ' ' || coalesce(new.summary, '') || ' ' || coalesce(new.notes, ''));
            END;
            CREATE TRIGGER case_search_update AFTER UPDATE OF summary, notes ON caseFile BEGIN
              DELETE FROM searchText WHERE kind = 'case' AND ref = old.id;
              INSERT INTO searchText (kind, ref, body) VALUES ('case', new.id, new.code || ' ' || coalesce(new.summary, '') || ' ' || coalesce(new.notes, ''));
            END;
            CREATE TRIGGER case_search_delete AFTER DELETE ON caseFile BEGIN
              DELETE FROM searchText WHERE kind = 'case' AND ref = old.id;
            END;
            """)
    }
}
