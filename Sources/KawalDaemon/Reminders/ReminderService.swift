import Foundation
import KawalContracts
import KawalCore
import KawalStore
import Logging
import ServiceLifecycle

/// Sends reminders: it takes the scheduler's `reminder.fire` jobs like a plugin would (same leases,
/// retries and idempotency keys, no second timer), turns each into rendered notify jobs, and raises
/// administrator alerts when a notify job dies or a plugin fails for good.
actor ReminderService: Service {
    static let owner = "kawald.reminders"

    let store: Store
    let scheduler: Scheduler
    let composer: MessageComposer
    let logger: Logger

    init(store: Store, scheduler: Scheduler, composer: MessageComposer, logger: Logger) {
        self.store = store
        self.scheduler = scheduler
        self.composer = composer
        self.logger = logger
    }

    /// Before the scheduler loads its jobs: reminders missed for longer than the staleness window
    /// become one overdue digest per recipient.
    static func foldLate(store: Store, logger: Logger) async throws {
        let rules = store.reminderRules
        guard rules.enabled else { return }
        let folded = try await store.foldLateReminders(staleBefore: store.time.now().addingTimeInterval(-rules.stalenessWindow))
        if folded > 0 {
            logger.warning("\(folded) reminders fell due while kawald was stopped, longer ago than the staleness window; they go out as one overdue digest per recipient",
                           metadata: ["kawal.late_reminders": "\(folded)"])
        }
    }

    func run() async throws {
        await scheduler.attach(owner: Self.owner, capabilities: [Store.reminderFireKind])
        let events = Task { await self.watchPlugins() }
        await withTaskCancellationOrGracefulShutdownHandler {
            await self.serve()
        } onCancelOrGracefulShutdown: { [scheduler] in
            Task { await scheduler.interrupt(owner: Self.owner) }
        }
        events.cancel()
        await scheduler.detach(owner: Self.owner)
    }

    private func serve() async {
        while !Task.isCancelled {
            let batch: [OfferedJob]?
            do {
                batch = try await scheduler.nextBatch(owner: Self.owner, max: 64, idle: .seconds(86_400))
            } catch {
                logger.error("cannot take reminder jobs: \(error)")
                try? await EventLoopSleep.sleep(for: .seconds(1))
                continue
            }
            guard let batch else { return }
            var results: [JobResult] = []
            var attempts: [Int64: Int64] = [:]
            for job in batch {
                attempts[job.id] = job.attempt
                do {
                    try await fire(job)
                    results.append(.done(job.id))
                } catch {
                    logger.error("reminder job failed; it is retried", metadata: ["kawal.job": "\(job.id)", "kawal.error": "\(error)"])
                    results.append(.failed(job.id, "\(error)", retryable: true))
                }
            }
            do {
                try await scheduler.settle(owner: Self.owner, results: results, attempts: attempts)
            } catch {
                logger.error("cannot settle reminder jobs: \(error)")
            }
        }
    }

    private func fire(_ job: OfferedJob) async throws {
        let key: String
        do {
            key = try WireJSON.decode(ReminderFirePayload.self, from: job.payload).key
        } catch {
            logger.error("reminder job without a key is dropped", metadata: ["kawal.job": "\(job.id)", "kawal.error": "\(error)"])
            return
        }
        let composer = self.composer
        let now = store.time.now()
        let outcome = try await store.dispatchReminders(fireKey: key) { batch in composer.messages(for: batch, now: now) }
        for due in outcome.jobs { await scheduler.schedule(due.id, kind: due.kind, at: due.dueAt) }
        for caseID in Set(outcome.escalatedCases).sorted() {
            logger.notice("reminder escalated: a follow-up stayed overdue; see 'kawalctl case show \(caseID)'",
                          metadata: KawalMessageID.reminderEscalated.metadata(["kawal.case": "\(caseID)"]))
        }
        if outcome.skipped > 0 {
            logger.notice("reminders skipped: the recipient has no channel with recorded consent and an address",
                          metadata: ["kawal.job": "\(job.id)", "kawal.skipped": "\(outcome.skipped)"])
        }
    }

    // MARK: Alerts

    /// Tells the administrators: renders the alert template (`kind`: backup_failed, plugin_failed,
    /// delivery_failed, or any other word) with `facts`, and enqueues a notify job for each alert
    /// handler and configured address. `key` makes repeats of the same alert one message.
    @discardableResult
    func raiseAlert(kind: String, facts: [(String, String)], key: String? = nil) async -> Int {
        let now = store.time.now()
        logger.critical("ALERT: \(kind)", metadata: ["kawal.alert": "\(kind)"])
        do {
            let admins = try await store.alertRecipients()
            let base = "a-\(kind)-\(key ?? String(Int64(now.timeIntervalSince1970 * 1000)))"
            let messages = composer.alertMessages(kind: kind, facts: facts, messageBase: base, admins: admins, now: now)
            if messages.isEmpty {
                logger.warning("no one to alert: set [alerts] handlers or email in kawald.toml", metadata: ["kawal.alert": "\(kind)"])
            }
            for message in messages {
                _ = try await scheduler.enqueue(kind: "notify.\(message.channel)", payload: message.payload, dueAt: message.dueAt,
                                                idempotencyKey: message.idempotencyKey)
            }
            return messages.count
        } catch {
            logger.error("cannot enqueue the alert: \(error)", metadata: ["kawal.alert": "\(kind)"])
            return 0
        }
    }

    /// A job went to the dead letters. A dead notify job is a reminder (or alert) nobody got; a dead
    /// backup job is a backup that was not made.
    func jobDied(id: Int64, kind: String) async {
        guard kind.hasPrefix("notify.") || kind == "backup" || kind.hasPrefix("backup.") else { return }
        guard let job = try? await store.job(id: id) else { return }
        if !kind.hasPrefix("notify.") {
            await raiseAlert(kind: "backup_failed", facts: [("job", String(id)), ("kind", kind), ("error", job.lastError ?? "-")], key: "job\(id)")
            return
        }
        let purpose = (try? WireJSON.decode(NotifyPayload.self, from: job.payload))?.purpose
        if purpose == "alert" {
            logger.critical("ALERT: an administrator alert could not be delivered either", metadata: ["kawal.job": "\(id)", "kawal.kind": "\(kind)"])
            return
        }
        await raiseAlert(kind: "delivery_failed", facts: [("job", String(id)), ("channel", kind), ("purpose", purpose ?? "-"),
                                                         ("error", job.lastError ?? "-")],
                         key: "job\(id)")
    }

    /// A plugin that failed for good is an alert too.
    private func watchPlugins() async {
        for await event in await scheduler.subscribe() where event.event == "plugin.failed" {
            await raiseAlert(kind: "plugin_failed", facts: [("plugin", event.plugin ?? "-"), ("error", event.detail ?? "-")])
        }
    }

    /// A test message to a handler on one channel.
    func notifyTest(handler code: String, channel: String) async throws -> (jobID: Int64, messageID: String) {
        guard ChannelConsent.channels.contains(channel) else {
            throw StoreError.invalid(field: "channel", message: "expected \(ChannelConsent.channels.joined(separator: ", "))")
        }
        let recipient = try await store.handlerNotify(code: code)
        guard let message = composer.testMessage(recipient, channel: channel, now: store.time.now()) else {
            throw StoreError.invalid(field: "channel", message: channel == "email"
                ? "handler \(code) has no e-mail address; 'kawalctl handler update \(code) --email …' adds one"
                : "handler \(code) has no phone number; 'kawalctl handler update \(code) --phone …' adds one")
        }
        let (id, _) = try await scheduler.enqueue(kind: "notify.\(channel)", payload: message.payload, dueAt: message.dueAt,
                                                  idempotencyKey: message.idempotencyKey)
        return (id, message.messageID)
    }
}
