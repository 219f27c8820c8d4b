import Foundation
import Logging
import Testing
@testable import KawalDaemon

/// Unencrypted copies of the database left by a kawald killed during a backup or a restore.
@Suite struct BackupLeftoversTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "kawal-leftovers-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/snapshots", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: path + "/restore", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: path + "/backups", withIntermediateDirectories: true)
        return path
    }

    static func touch(_ path: String, modified: Date = Date()) throws {
        #expect(FileManager.default.createFile(atPath: path, contents: Data("SQLite format 3\0".utf8)))
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
    }

    static func names(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test func startRemovesSnapshotsAndDecryptedBackupsButNoBackup() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.touch(root + "/snapshots/.tmp-snapshot-kawal-20261202T010000Z.db")
        try Self.touch(root + "/restore/restore-20261202T010000Z-1.db")
        // An older kawald kept its snapshot in the backup folder; backups and their manifests stay.
        try Self.touch(root + "/backups/.tmp-snapshot-kawal-20261201T010000Z.db")
        try Self.touch(root + "/backups/kawal-20261201T010000Z.db.zst.age")
        try Self.touch(root + "/backups/kawal-20261201T010000Z.manifest.json")
        // Not kawald's names: a backup folder configured inside STATE/snapshots keeps its backups.
        try Self.touch(root + "/snapshots/kawal-20261130T010000Z.db.zst.age")
        try Self.touch(root + "/restore/.tmp-restore-20261202T010000Z-2.db-77")
        // A memory folder that is not kawald's own (here: mode 0755) is left alone.
        let memory = root + "/memory"
        #expect(mkdir(memory, 0o755) == 0 && chmod(memory, 0o755) == 0)
        try Self.touch(memory + "/.tmp-snapshot-kawal-20261202T010000Z.db")
        BackupService.removeLeftovers(snapshots: [root + "/snapshots"], memory: memory, backups: root + "/backups", staging: root + "/restore",
                                      logger: Logger(label: "test"))
        #expect(Self.names(root + "/snapshots") == ["kawal-20261130T010000Z.db.zst.age"])
        #expect(Self.names(root + "/restore").isEmpty)
        #expect(Self.names(memory).count == 1)
        #expect(chmod(memory, 0o700) == 0)
        BackupService.removeLeftovers(snapshots: [], memory: memory, backups: root + "/backups", staging: root + "/restore", logger: Logger(label: "test"))
        #expect(Self.names(memory).isEmpty)
        #expect(Self.names(root + "/backups") == ["kawal-20261201T010000Z.db.zst.age", "kawal-20261201T010000Z.manifest.json"])
    }

    /// The in-memory snapshot folder is used only when it is kawald's own: a real folder, mode 0700.
    @Test func theMemoryFolderMustBeOurOwn() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fresh = root + "/fresh"
        #expect(BackupService.privateMemoryFolder(fresh) == fresh)
        var info = stat()
        #expect(stat(fresh, &info) == 0 && info.st_mode & 0o777 == 0o700)
        let open = root + "/open"
        #expect(mkdir(open, 0o755) == 0 && chmod(open, 0o755) == 0)
        #expect(BackupService.privateMemoryFolder(open) == nil)
        let link = root + "/link"
        #expect(symlink(fresh, link) == 0)
        #expect(BackupService.privateMemoryFolder(link) == nil)
        #expect(BackupService.memorySnapshotDirectory(stateDirectory: "/var/lib/kawal") != BackupService.memorySnapshotDirectory(stateDirectory: "/srv/kawal"))
        #expect(!BackupService.fitsInMemory(databaseBytes: 1 << 50, folder: fresh))
        #expect(BackupService.fitsInMemory(databaseBytes: 4096, folder: fresh))
    }

    @Test func aRestoreRemovesOnlyAbandonedDecryptedBackups() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let now = Date()
        try Self.touch(root + "/restore/restore-a.db", modified: now.addingTimeInterval(-BackupService.abandonedStaging - 5))
        try Self.touch(root + "/restore/restore-b.db", modified: now.addingTimeInterval(-30))
        #expect(BackupService.removeAbandonedStaging(in: root + "/restore", now: now) == 1)
        #expect(Self.names(root + "/restore") == ["restore-b.db"])
    }
}
