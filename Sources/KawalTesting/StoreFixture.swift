import Foundation
import KawalStore
import Synchronization

/// A clock the test moves by hand: the store's "now".
public final class ManualClock: Sendable {
    private let current: Mutex<Date>
    public init(_ date: Date) { current = Mutex(date) }
    public var now: Date { current.withLock { $0 } }
    public func set(_ date: Date) { current.withLock { $0 = date } }
}

/// A store in a temporary folder on an injected clock, with helpers that record cases as an office would.
///
/// ```swift
/// let f = try StoreFixture(at: "2025-02-03")
/// defer { f.cleanUp() }
/// let person = try await f.person("Siti", village: "Sembalun")
/// try await f.openCase(person, type: "document")
/// f.at("2025-03-01")
/// ```
public struct StoreFixture {
    public let directory: String
    public let store: Store
    public let clock: ManualClock
    public let admin = Actor(uid: 0, pid: 1, role: .admin, handlerID: nil, label: "admin uid 0")
    public static let zone = TimeZone(identifier: "Asia/Makassar")!

    public init(at day: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kawal-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let clock = ManualClock(Self.moment(day))
        self.clock = clock
        store = try Store(directory: directory, time: TimeContext(zone: Self.zone, now: { clock.now }))
    }

    /// 09:00 WITA on `YYYY-MM-DD`.
    public static func moment(_ day: String) -> Date {
        let parts = day.split(separator: "-").map { Int($0)! }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: 9))!
    }

    public func at(_ day: String) { clock.set(Self.moment(day)) }

    public func person(_ name: String, village: String, sex: String = "female", birth: String = "1990-05-01") async throws -> Int64 {
        try await store.addPerson(PersonInput(name: name, sex: sex, birthDate: birth, village: village), force: true, actor: admin).0.id!
    }

    @discardableResult
    public func openCase(_ personID: Int64, type: String, form: String? = nil) async throws -> CaseRecord {
        try await store.openCase(CaseInput(personID: personID, type: type, violenceForm: form), actor: admin).record
    }

    @discardableResult
    public func move(_ record: CaseRecord, through statuses: [String]) async throws -> CaseRecord {
        var current = record
        for status in statuses {
            current = try await store.transitionCase(id: current.id!, version: current.version, to: status, note: nil, actor: admin).record
        }
        return current
    }

    public func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}
