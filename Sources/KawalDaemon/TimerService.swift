import Foundation
import KawalCalendar
import KawalDomain
import KawalStore
import Logging
import ServiceLifecycle

/// Recurring jobs from `[timers.NAME]`: each timer keeps exactly one future occurrence in the
/// job queue; the scheduler fires it. After downtime, like systemd's `Persistent=`, a timer whose
/// occurrences were missed fires once (not once per missed period), then carries on.
actor TimerService: Service {
    struct Timer: Sendable {
        var settings: TimerSettings
        var spec: CalendarSpec
        var next: Date?
        var lastFired: Date?
    }

    let store: Store
    let scheduler: Scheduler
    let logger: Logger
    private var timers: [String: Timer] = [:]

    init(settings: [TimerSettings], zone: ZoneInfo, store: Store, scheduler: Scheduler, logger: Logger) throws {
        self.store = store
        self.scheduler = scheduler
        self.logger = logger
        for timer in settings {
            timers[timer.name] = Timer(settings: timer, spec: try CalendarSpec(parsing: timer.onCalendar, localZone: zone))
        }
    }

    func run() async throws {
        for name in timers.keys.sorted() where timers[name]!.settings.enabled {
            try await prepare(name)
        }
        while true {
            guard let soonest = timers.values.compactMap(\.next).min() else {
                try? await gracefulShutdown()
                return
            }
            let wait = max(0, soonest.timeIntervalSinceNow)
            do {
                try await cancelWhenGracefulShutdown { try await EventLoopSleep.sleep(for: .milliseconds(Int64(wait * 1000) + 1)) }
            } catch {
                return
            }
            // The scheduler fires the due occurrence; here the following one is enqueued.
            let now = Date()
            for name in timers.keys.sorted() {
                guard let due = timers[name]!.next, due <= now else { continue }
                timers[name]!.lastFired = due
                try await schedule(name, after: max(now, due))
            }
        }
    }

    /// After a restore replaced the database: each timer finds its next occurrence in the restored queue again.
    func resync() async throws {
        for name in timers.keys.sorted() where timers[name]!.settings.enabled {
            try await prepare(name)
        }
    }

    private func prepare(_ name: String) async throws {
        let timer = timers[name]!
        let now = Date()
        guard let latest = try await store.latestTimerJob(name) else {
            try await schedule(name, after: now)
            return
        }
        if latest.dueAt > now {
            timers[name]!.next = latest.dueAt
            return
        }
        timers[name]!.lastFired = latest.dueAt
        // Occurrences missed while kawald was stopped: the most recent fires once, now.
        var missed: Date?
        var cursor = latest.dueAt
        for _ in 0..<100_000 {
            guard let next = timer.spec.nextElapse(after: cursor), next <= now else { break }
            missed = next
            cursor = next
        }
        if let missed, latest.state != .pending {
            let key = "timer:\(name):\(Int64(missed.timeIntervalSince1970 * 1000))"
            _ = try await scheduler.enqueue(kind: timer.settings.kind, payload: timer.settings.payload, dueAt: now, idempotencyKey: key)
            timers[name]!.lastFired = missed
            logger.notice("timer missed while kawald was stopped; firing once now", metadata: ["kawal.timer": "\(name)"])
        }
        try await schedule(name, after: now)
    }

    private func schedule(_ name: String, after base: Date) async throws {
        let timer = timers[name]!
        guard let next = timer.spec.nextElapse(after: base) else {
            timers[name]!.next = nil
            logger.notice("timer has no further occurrence", metadata: ["kawal.timer": "\(name)"])
            return
        }
        let key = "timer:\(name):\(Int64(next.timeIntervalSince1970 * 1000))"
        _ = try await scheduler.enqueue(kind: timer.settings.kind, payload: timer.settings.payload, dueAt: next, idempotencyKey: key)
        timers[name]!.next = next
    }

    struct Listing: Sendable {
        var name: String
        var onCalendar: String
        var normalized: String
        var kind: String
        var enabled: Bool
        var next: Date?
        var lastFired: Date?
    }

    func list() -> [Listing] {
        timers.values.sorted { $0.settings.name < $1.settings.name }.map {
            Listing(name: $0.settings.name, onCalendar: $0.settings.onCalendar, normalized: $0.spec.normalized, kind: $0.settings.kind,
                    enabled: $0.settings.enabled, next: $0.next, lastFired: $0.lastFired)
        }
    }
}
