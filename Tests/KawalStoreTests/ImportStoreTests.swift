import Foundation
import GRDB
import KawalStore
import KawalTesting
import Testing

@Suite struct ImportStoreTests {
    /// A valid NIK of Lombok Timur for person `n` (born `1 + n % 28` of a month of 1990, a woman),
    /// and that birth date.
    static func person(_ n: Int) -> (nik: String, birth: String) {
        let day = 1 + n % 28, month = 1 + (n / 28) % 12
        let nik = "520301" + String(format: "%02d%02d90%04d", day + 40, month, n + 1)
        return (nik, String(format: "1990-%02d-%02d", month, day))
    }

    /// 2,500 rows over three chunks of the writer: people already recorded are found by NIK or by
    /// name, birth date and village; a person who comes again later in the file (in the same chunk
    /// or a later one) gets the new case, not a second record.
    @Test func repeatedPeopleGetTheirCasesAcrossChunks() async throws {
        let f = try StoreFixture(at: "2025-02-03")
        defer { f.cleanUp() }
        // Recorded before the import: person 0 (NIK) and person 1 (no NIK, found by name, birth and village).
        let known0 = try await f.store.addPerson(PersonInput(nik: Self.person(0).nik, name: "Warga 0", sex: "female", birthDate: Self.person(0).birth,
                                                             village: "Aikmel"), force: false, actor: f.admin).0
        let known1 = try await f.store.addPerson(PersonInput(name: "Warga 1", sex: "female", birthDate: Self.person(1).birth, village: "Aikmel"),
                                                 force: false, actor: f.admin).0
        let layout = try ImportLayout(fields: ["name", "nik", "sex", "birth_date", "village", "type"])
        var rows: [ImportRow] = []
        var expectedPerson: [Int] = []
        for line in 0..<2500 {
            // Every fifth row is someone met earlier: 3 rows back (same chunk) or 1,500 back (an earlier chunk).
            var n = line
            if line % 5 == 4 { n = line % 10 == 4 ? line - 3 : max(line - 1500, 0) }
            if n != line { n = expectedPerson[n] }
            expectedPerson.append(n)
            let (nik, birth) = Self.person(n)
            // Person 1 is given without NIK, as recorded, and is found by name; the others come
            // again under another spelling of their name, and are found by NIK.
            let name = n == line || n == 1 ? "Warga \(n)" : "Wrg. \(n)"
            rows.append(ImportRow(number: Int64(line + 2), values: [name, n == 1 ? "" : nik, "female", birth, "Aikmel", "document"]))
        }
        let (accepted, rejected) = try await f.store.prepareImport(layout, rows)
        #expect(rejected.isEmpty)
        let counts = try await f.store.commitImport(accepted, source: "warga.csv", rejected: 0, dryRun: false, actor: f.admin)
        let distinct = Set(expectedPerson)
        #expect(counts.casesCreated == 2500)
        #expect(counts.peopleCreated == distinct.count - 2)
        #expect(counts.peopleMatched == 2500 - (distinct.count - 2))

        // Each person has as many cases as rows named them, and the two recorded before kept their ids.
        var expectedCases: [String: Int] = [:]
        for n in expectedPerson { expectedCases["Warga \(n)", default: 0] += 1 }
        let database = try DatabaseQueue(path: f.directory + "/kawal.db", configuration: { var c = Configuration(); c.readonly = true; return c }())
        let recorded = try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT p.id, p.name, count(c.id) AS cases FROM person p LEFT JOIN caseFile c ON c.personID = p.id GROUP BY p.id
                """)
        }
        #expect(recorded.count == distinct.count)
        #expect(Set(recorded.map { $0["name"] as String }).count == recorded.count, "a person was recorded twice")
        #expect(Dictionary(uniqueKeysWithValues: recorded.map { ($0["name"] as String, $0["cases"] as Int) }) == expectedCases)
        let ids = Dictionary(uniqueKeysWithValues: recorded.map { ($0["name"] as String, $0["id"] as Int64) })
        #expect(ids["Warga 0"] == known0.id && ids["Warga 1"] == known1.id)
    }
}

@Suite struct InputEdgeTests {
    /// A job id queued twice (a cancelled job retried while still waiting for its plugin) is
    /// leased once, not a crash.
    @Test func aJobAskedForTwiceIsLeasedOnce() async throws {
        let f = try StoreFixture(at: "2025-02-03")
        defer { f.cleanUp() }
        let (id, _) = try await f.store.enqueueJob(kind: "notify.sms", payload: "{}", dueAt: Date(timeIntervalSince1970: 0), idempotencyKey: "twice")
        let (other, _) = try await f.store.enqueueJob(kind: "notify.sms", payload: "{}", dueAt: Date(timeIntervalSince1970: 0), idempotencyKey: "once")
        let offered = try await f.store.leaseJobs([id, other, id], owner: "sms", expiresAt: Date(timeIntervalSince1970: 60))
        #expect(offered.map(\.id) == [id, other])
    }

    @Test func aPagingCursorWithAnImpossibleTimeIsRefused() async throws {
        let f = try StoreFixture(at: "2025-02-03")
        defer { f.cleanUp() }
        for cursor in ["nan/1", "inf/1", "1e300/1", "-1e300/1"] {
            await #expect(throws: StoreError.invalid(field: "after", message: "'\(cursor)' is not a cursor from a previous page")) {
                try await f.store.followUps(overdue: true, dueWithin: nil, caseID: nil, handler: nil, limit: nil, after: cursor, actor: f.admin)
            }
        }
    }

    @Test func theMonthBeforeTheFirstReportableMonthIsRefused() throws {
        let time = TimeContext(zone: try #require(TimeZone(identifier: "Asia/Makassar")), now: { Date() })
        #expect(throws: StoreError.self) { try time.previousMonth(before: StoreFixture.moment("1900-01-15")) }
        #expect(try time.previousMonth(before: StoreFixture.moment("2025-01-15")) == time.reportPeriod("2024-12"))
    }
}
