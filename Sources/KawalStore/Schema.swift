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
        return migrator
    }()
}
