import Foundation
import KawalBackup
import Testing

/// The plain copies kept before restores expire (security review, finding 8): found by their names,
/// nothing else in the folder touched.
@Suite struct PreRestoreCopiesTests {
    @Test func copiesOlderThanTheCutoffAreFoundByTheirNames() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pre-restore-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = folder + "/kawal.db"
        let day: Double = 86_400
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        let old = PreRestoreCopies.name(database: database, at: now.addingTimeInterval(-40 * day))
        let recent = PreRestoreCopies.name(database: database, at: now.addingTimeInterval(-3 * day))
        for path in [database, database + "-wal", old, old + "-2", recent, database + ".pre-restore-garbage", folder + "/other.db.pre-restore-20200101T000000Z"] {
            #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        }
        #expect(old.hasSuffix(".pre-restore-" + String(BackupNaming.id(for: now.addingTimeInterval(-40 * day)).dropFirst(BackupNaming.prefix.count))))
        #expect(PreRestoreCopies.expired(database: database, before: now.addingTimeInterval(-30 * day)) == [old, old + "-2"])
        #expect(PreRestoreCopies.expired(database: database, before: now).count == 3)
        #expect(PreRestoreCopies.madeAt(fileName: "kawal.db.pre-restore-garbage", databaseName: "kawal.db") == nil)
    }
}
