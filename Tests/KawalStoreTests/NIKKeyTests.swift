import Foundation
import KawalStore
import Testing

/// nik-hash.key keys the hashes that find a person again by NIK. Losing it must not make the same
/// NIK a stranger, and a damaged one must not be written over.
@Suite struct NIKKeyTests {
    let directory = NSTemporaryDirectory() + "/kawal-nik-key-\(UUID().uuidString)"
    let time = TimeContext(zone: TimeZone(identifier: "Asia/Makassar")!, now: { Date() })
    let actor = Actor.system(pid: 1)

    @Test func aLostKeyIsMadeAgainWithEveryHash() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try Store(directory: directory, time: time)
        #expect(first.nikHashesRemade == 0, "a first start has nothing to compute again")
        _ = try await first.addPerson(PersonInput(nik: "5203015708450001", name: "Siti Aminah", village: "Sembalun"), force: false, actor: actor)
        let key = directory + "/nik-hash.key"
        #expect((try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        try FileManager.default.removeItem(atPath: key)

        let second = try Store(directory: directory, time: time)
        #expect(second.nikHashesRemade == 1)
        // Another spelling, another village: only the NIK says it is her.
        await #expect(throws: StoreError.self) {
            _ = try await second.addPerson(PersonInput(nik: "5203015708450001", name: "Siti Aminah Binti Amaq", village: "Sajang"),
                                           force: false, actor: actor)
        }
    }

    @Test func aDamagedKeyIsRefusedNotReplaced() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try Store(directory: directory, time: time)
        let key = directory + "/nik-hash.key"
        try Data(repeating: 7, count: 12).write(to: URL(fileURLWithPath: key))
        #expect(throws: StoreError.self) { _ = try Store(directory: directory, time: time) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: key)) == Data(repeating: 7, count: 12), "the file is left as it was")
    }
}
