import Foundation
import KawalStore
import Logging
import Testing
@testable import KawalDaemon

/// A server waiting for work stops waiting when its task is cancelled. A restarted kawald whose
/// service group was cancelled at start (not shut down gracefully) hung in BuiltinJobs' wait for a
/// day's idle time, and systemd killed it after 90 s.
@Suite struct SchedulerWaitTests {
    let directory = NSTemporaryDirectory() + "/kawal-scheduler-\(UUID().uuidString)"

    func makeScheduler() throws -> Scheduler {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try Store(directory: directory, time: TimeContext(zone: TimeZone(identifier: "Asia/Makassar")!, now: { Date() }))
        return try Scheduler(store: store, settings: SchedulerSettings(), logger: Logger(label: "test"))
    }

    @Test func aWaitThatHasBegunEndsWhenItsTaskIsCancelled() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scheduler = try makeScheduler()
        await scheduler.attach(owner: "server", capabilities: ["report.monthly"])
        let waiting = Task { try await scheduler.nextBatch(owner: "server", max: 4, idle: .seconds(86_400)) }
        while await !scheduler.isWaiting("server") { await Task.yield() }
        let cancelled = ContinuousClock.now
        waiting.cancel()
        #expect(try await waiting.value == nil, "a cancelled server is told to stop, not handed an empty batch")
        #expect(ContinuousClock.now - cancelled < .seconds(5))
    }

    @Test func aTaskCancelledBeforeItWaitsDoesNotWait() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scheduler = try makeScheduler()
        await scheduler.attach(owner: "server", capabilities: ["report.monthly"])
        let waiting = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await scheduler.nextBatch(owner: "server", max: 4, idle: .seconds(86_400))
        }
        #expect(try await waiting.value == nil)
    }
}
