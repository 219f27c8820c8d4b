import Foundation
import KawalContracts
import KawalScheduler
import KawalDomain
import KawalStore
import Logging
import NIOCore
import ServiceLifecycle

/// Something that happened to a job or a plugin, for io.kawal.Events.Subscribe and the log.
struct SchedulerEvent: Sendable {
    var event: String
    var jobID: Int64?
    var plugin: String?
    var state: String?
    var detail: String?
    /// For job.progress: bytes done of bytes in all.
    var bytes: (done: Int64, total: Int64)? = nil
    /// Numbered by `publish`, one after the other: a gap is what a slow subscriber lost.
    var sequence: UInt64 = 0
}

/// The durable scheduler: jobs live in the database; the next due times in a min-heap; one
/// wall-clock timer is armed for the earliest due time or lease expiry. Idle, it sleeps.
actor Scheduler: Service {
    let store: any JobRepository
    let settings: SchedulerSettings
    let logger: Logger
    private let timer: WallClockTimer
    private var heap = DueHeap()
    private var kinds: [Int64: String] = [:]
    /// Due jobs waiting for a plugin with their capability, oldest first.
    private var ready: [String: CircularBuffer<Int64>] = [:]
    private var leases = LeaseBook()
    /// Servers waiting for work, by owner. Each wait has a number of its own, so that the time-out
    /// or cancellation of one wait can never end a later wait of the same owner.
    private var waiters: [String: (wait: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]
    private var waitsBegun: UInt64 = 0
    private var attached: [String: Set<String>] = [:]
    private var subscribers: [UUID: AsyncStream<SchedulerEvent>.Continuation] = [:]
    private(set) var staleAtStart = 0
    /// Told of every job that goes to the dead letters (id, kind): kawald alerts the admins.
    private var deadLetterHandler: (@Sendable (Int64, String) async -> Void)?

    func onDeadLetter(_ handler: @escaping @Sendable (Int64, String) async -> Void) {
        deadLetterHandler = handler
    }

    /// Told of every job that ends, done or dead (kind, state): for the metrics.
    private var outcomeObserver: (@Sendable (String, String) -> Void)?

    func onOutcome(_ observer: @escaping @Sendable (_ kind: String, _ state: String) -> Void) {
        outcomeObserver = observer
    }

    private func buried(_ id: Int64, kind: String?) {
        guard let handler = deadLetterHandler, let kind else { return }
        Task { await handler(id, kind) }
    }

    var retryPolicy: RetryPolicy {
        RetryPolicy(base: settings.retryBase, cap: settings.retryCap, maxAttempts: settings.maxAttempts)
    }

    init(store: any JobRepository, settings: SchedulerSettings, logger: Logger) throws {
        self.store = store
        self.settings = settings
        self.logger = logger
        self.timer = try WallClockTimer()
    }

    /// Loads what the database holds: leases of a previous run return to pending, occurrences
    /// missed past the staleness window become stale (reported once), the rest is due as it was.
    func recover() async throws {
        let now = Date()
        let (pending, staled) = try await store.recoverJobs(staleBefore: now.addingTimeInterval(-settings.stalenessWindow))
        for job in pending {
            heap.schedule(id: job.id, at: job.dueAt)
            kinds[job.id] = job.kind
        }
        staleAtStart = staled
        if staled > 0 {
            logger.warning("\(staled) jobs were due longer ago than the staleness window and are marked stale, not fired; 'kawalctl job list --state stale' lists them",
                           metadata: ["kawal.stale_jobs": "\(staled)"])
        }
        logger.info("scheduler ready", metadata: ["kawal.pending_jobs": "\(pending.count)"])
    }

    /// After a restore replaced the database: forgets the queue it knew and loads the restored one.
    /// Answers for leases given before are ignored (their jobs may not exist any more).
    func reloadAfterRestore() async throws {
        heap = DueHeap()
        kinds = [:]
        ready = [:]
        leases = LeaseBook()
        try await recover()
        rearm()
    }

    func run() async throws {
        rearm()
        await withTaskCancellationOrGracefulShutdownHandler {
            for await _ in timer.events {
                await tick()
            }
        } onCancelOrGracefulShutdown: { [timer] in
            timer.stop()
        }
        for waiter in waiters.values { waiter.continuation.resume() }
        waiters.removeAll()
        for subscriber in subscribers.values { subscriber.finish() }
    }

    /// Adds a job (once per idempotency key).
    func enqueue(kind: String, payload: String, dueAt: Date, idempotencyKey: String) async throws -> (id: Int64, created: Bool) {
        let result = try await store.enqueueJob(kind: kind, payload: payload, dueAt: dueAt, idempotencyKey: idempotencyKey)
        if result.created {
            schedule(result.id, kind: kind, at: dueAt)
            publish(SchedulerEvent(event: "job.enqueued", jobID: result.id, plugin: nil, state: "pending", detail: kind))
        }
        return result
    }

    func schedule(_ id: Int64, kind: String, at due: Date) {
        kinds[id] = kind
        heap.schedule(id: id, at: due)
        if due <= Date() {
            Task { await self.tick() }
        } else {
            rearm()
        }
    }

    func cancel(_ id: Int64) {
        heap.remove(id)
        kinds[id] = nil
        for kind in ready.keys { ready[kind]?.removeAll(where: { $0 == id }) }
    }

    private func rearm() {
        let next = [heap.earliest(), leases.nextExpiry()].compactMap { $0 }.min()
        timer.arm(at: next)
    }

    /// Moves due jobs to the ready queues, takes back expired leases, wakes waiting plugins.
    func tick() async {
        let now = Date()
        for id in heap.popDue(now: now) {
            guard let kind = kinds[id] else { continue }
            ready[kind, default: CircularBuffer()].append(id)
        }
        let expired = leases.expire(now: now)
        if !expired.isEmpty {
            await takeBack(expired, reason: "lease expired before the plugin answered", onlyExpired: true)
        }
        rearm()
        wakeWaiters()
    }

    /// Runs a bookkeeping write in a task of its own, so that the caller's cancellation (a plugin
    /// being stopped) does not abandon it half way: what the plugin did must be recorded.
    private static func regardlessOfCancellation<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await body() }.value
    }

    private func takeBack(_ ids: [Int64], reason: String, onlyExpired: Bool) async {
        do {
            // In a task of its own: a plugin being stopped is detached from a cancelled task, and its
            // leases must come back all the same (else its jobs stay leased to a dead process).
            let returned = try await Self.regardlessOfCancellation { [store, settings] in
                try await store.returnLeasedJobs(ids, maxAttempts: Int64(settings.maxAttempts), reason: reason, onlyExpired: onlyExpired)
            }
            for (id, state) in returned {
                publish(SchedulerEvent(event: "job.returned", jobID: id, plugin: nil, state: state.rawValue, detail: reason))
                if state == .pending, let kind = kinds[id] {
                    ready[kind, default: CircularBuffer()].append(id)
                } else {
                    if state == .dead {
                        buried(id, kind: kinds[id])
                        if let kind = kinds[id] { outcomeObserver?(kind, state.rawValue) }
                    }
                    kinds[id] = nil
                }
            }
        } catch {
            logger.error("cannot take leased jobs back: \(error)")
        }
    }

    private func wakeWaiters() {
        for (owner, capabilities) in attached where capabilities.contains(where: { !(ready[$0]?.isEmpty ?? true) }) {
            waiters.removeValue(forKey: owner)?.continuation.resume()
        }
    }

    // MARK: Plugins

    func attach(owner: String, capabilities: Set<String>) {
        attached[owner] = capabilities
        publish(SchedulerEvent(event: "plugin.attached", jobID: nil, plugin: owner, state: "running", detail: capabilities.sorted().joined(separator: ",")))
    }

    /// The capabilities some attached owner (a running plugin, kawald's own workers) takes jobs for.
    func attachedCapabilities() -> Set<String> {
        attached.values.reduce(into: Set<String>()) { $0.formUnion($1) }
    }

    /// Wakes the owner's serve loop for good (its process ended, or it is being stopped): nextBatch answers nil.
    func interrupt(owner: String) {
        attached[owner] = nil
        waiters.removeValue(forKey: owner)?.continuation.resume()
    }

    /// The plugin is gone: its leases end now and its jobs are offered again.
    func detach(owner: String) async {
        attached[owner] = nil
        waiters.removeValue(forKey: owner)?.continuation.resume()
        let revoked = leases.revokeAll(of: owner)
        if !revoked.isEmpty {
            await takeBack(revoked, reason: "plugin \(owner) went away before answering", onlyExpired: false)
            wakeWaiters()
        }
        publish(SchedulerEvent(event: "plugin.detached", jobID: nil, plugin: owner, state: nil, detail: nil))
    }

    /// The next jobs for a plugin, leased to it; waits up to `idle` for work (nil: does not wait).
    /// Empty after the wait (time to ping), nil once the owner is detached.
    func nextBatch(owner: String, max: Int, idle: Duration?) async throws -> [OfferedJob]? {
        while true {
            guard let capabilities = attached[owner] else { return nil }
            var ids: [Int64] = []
            for kind in capabilities.sorted() {
                while ids.count < max, let id = ready[kind]?.popFirst() { ids.append(id) }
            }
            if !ids.isEmpty {
                let expiresAt = Date().addingTimeInterval(settings.lease)
                let offered = try await store.leaseJobs(ids, owner: owner, expiresAt: expiresAt)
                for job in offered {
                    leases.grant(job.id, to: owner, until: expiresAt)
                }
                rearm()
                if !offered.isEmpty { return offered }
                continue
            }
            guard let idle else { return [] }
            // A cancelled server stops serving: nil, not an empty batch it would ask again for.
            if Task.isCancelled { return nil }
            let woken = await waitForWork(owner: owner, idle: idle)
            if Task.isCancelled { return nil }
            if !woken { return [] }
        }
    }

    /// Waits until work comes for `owner`, `idle` passes, or the waiting task is cancelled. The
    /// cancellation matters: a service group that is cancelled (not shut down gracefully, e.g.
    /// because one service failed) has no other way to wake a waiter, which otherwise slept until
    /// `idle` ran out (a day) while systemd waited for kawald to exit.
    private func waitForWork(owner: String, idle: Duration) async -> Bool {
        waitsBegun += 1
        let wait = waitsBegun
        let timeout = Task { [weak self] in
            // Cancelled (the wait ended otherwise): no time-out to report.
            guard (try? await EventLoopSleep.sleep(for: idle)) != nil else { return }
            await self?.timeOut(owner, wait: wait)
        }
        defer { timeout.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume()
                } else {
                    // One server per owner waits at a time; should a second come, the first looks again.
                    waiters.updateValue((wait, continuation), forKey: owner)?.continuation.resume()
                }
            }
        } onCancel: {
            Task { await self.stopWaiting(owner, wait: wait) }
        }
        let timedOutNow = timedOut.remove(owner) != nil
        return !timedOutNow
    }

    private func stopWaiting(_ owner: String, wait: UInt64) {
        guard waiters[owner]?.wait == wait else { return }
        waiters.removeValue(forKey: owner)?.continuation.resume()
    }

    /// Whether `owner` waits for work now (for tests that must act while it does).
    func isWaiting(_ owner: String) -> Bool { waiters[owner] != nil }

    private var timedOut: Set<String> = []

    private func timeOut(_ owner: String, wait: UInt64) {
        guard waiters[owner]?.wait == wait, let waiter = waiters.removeValue(forKey: owner) else { return }
        timedOut.insert(owner)
        waiter.continuation.resume()
    }

    /// A plugin's answers. Late or foreign answers (the lease moved on) are ignored.
    func settle(owner: String, results: [JobResult], attempts: [Int64: Int64]) async throws {
        let now = Date()
        var outcomes: [(id: Int64, outcome: JobOutcome)] = []
        for result in results where leases.settle(result.id, by: owner) {
            if result.ok {
                outcomes.append((result.id, .done))
            } else {
                let attempt = Int(attempts[result.id] ?? 1)
                let retryAt = result.retryable ? retryPolicy.retryAt(afterAttempt: attempt, now: now) : nil
                outcomes.append((result.id, .failed(message: result.error ?? "failed", retryAt: retryAt)))
            }
        }
        // In a task of its own: answers that reached kawald are recorded even while the plugin that
        // gave them is being stopped (its serving task cancelled); else they would be offered again.
        let settled = try await Self.regardlessOfCancellation { [store, outcomes] in try await store.settleJobs(outcomes, owner: owner) }
        let retryTimes = Dictionary(outcomes.compactMap { item -> (Int64, Date)? in
            if case .failed(_, let at?) = item.outcome { return (item.id, at) }
            return nil
        }, uniquingKeysWith: { a, _ in a })
        for (id, state) in settled {
            publish(SchedulerEvent(event: "job.settled", jobID: id, plugin: owner, state: state.rawValue, detail: nil))
            if state == .pending, let at = retryTimes[id], let kind = kinds[id] {
                heap.schedule(id: id, at: at)
                kinds[id] = kind
            } else {
                if state == .dead {
                    logger.error("job failed for good and went to the dead letters", metadata: ["kawal.job": "\(id)", "kawal.plugin": "\(owner)"])
                    buried(id, kind: kinds[id])
                }
                if let kind = kinds[id], state == .done || state == .dead { outcomeObserver?(kind, state.rawValue) }
                kinds[id] = nil
            }
        }
        rearm()
    }

    // MARK: Events

    func subscribe() -> AsyncStream<SchedulerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SchedulerEvent.self, bufferingPolicy: .bufferingNewest(1000))
        let id = UUID()
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return stream
    }

    private func unsubscribe(_ id: UUID) { subscribers[id] = nil }

    private var published: UInt64 = 0

    func publish(_ event: SchedulerEvent) {
        published += 1
        var event = event
        event.sequence = published
        for subscriber in subscribers.values { subscriber.yield(event) }
    }

    var counts: (pending: Int, ready: Int, leased: Int) {
        (heap.count, ready.values.reduce(0) { $0 + $1.count }, leases.count)
    }
}
