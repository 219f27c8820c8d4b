import Foundation
import KawalStore
import Testing

@Suite struct CaseCodeTests {
    /// A case opened in the first hours of the new year in Lombok carries the new year, whatever
    /// zone the server's clock is set to.
    @Test func theYearInACaseCodeIsTheDeploymentsYear() async throws {
        let directory = NSTemporaryDirectory() + "/kawal-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 2025-12-31 17:00 UTC is 2026-01-01 01:00 WITA.
        let newYearsNight = Date(timeIntervalSince1970: 1_767_200_400)
        let time = TimeContext(zone: try #require(TimeZone(identifier: "Asia/Makassar")), now: { newYearsNight })
        let store = try Store(directory: directory, time: time)
        let actor = Actor.system(pid: 1)
        let (person, _) = try await store.addPerson(PersonInput(name: "Siti Aminah", village: "Sembalun"), force: false, actor: actor)
        let opened = try await store.openCase(CaseInput(personID: person.id, type: "document"), actor: actor)
        #expect(opened.record.code == "K-2026-0001")
    }
}
