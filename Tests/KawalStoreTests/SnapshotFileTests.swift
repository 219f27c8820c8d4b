import Foundation
import KawalBackup
import KawalStore
import Testing

/// The backup snapshot is a plain copy of every record: kawald's user's alone from its first byte.
@Suite struct SnapshotFileTests {
    @Test func theSnapshotIsMadePrivateAndFollowsNoLink() async throws {
        let directory = NSTemporaryDirectory() + "/kawal-snapshot-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let previous = umask(0o022)
        defer { umask(previous) }
        let store = try Store(directory: directory + "/state", time: TimeContext(zone: TimeZone(identifier: "Asia/Makassar")!, now: { Date() }))
        let snapshot = directory + "/snapshot.db"
        // A link planted where the snapshot goes is replaced; what it points at is left alone.
        try "not a database".write(toFile: directory + "/victim", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: snapshot, withDestinationPath: directory + "/victim")
        try await store.writeSnapshot(to: snapshot)
        #expect(try String(contentsOfFile: directory + "/victim", encoding: .utf8) == "not a database")
        let mode = (try FileManager.default.attributesOfItem(atPath: snapshot)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600, "mode \(String(mode ?? 0, radix: 8))")
        #expect(try DatabaseInspection(file: snapshot, knownMigrations: Store.migrations).integrity == "ok")
    }
}
