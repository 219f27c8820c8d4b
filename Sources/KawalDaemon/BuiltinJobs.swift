import Foundation
import KawalContracts
import KawalReports
import KawalStore
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Jobs kawald carries out itself, taken from the same durable queue as plugin jobs (so timers,
/// leases, retries and idempotency keys work the same): `report.monthly` renders last month's
/// report and hands it to the notifiers as `notify.email` jobs; `retention.purge` deletes the
/// personal data whose retention period is over.
struct BuiltinJobs: Service {
    static let owner = "kawald"
    static let kinds: Set<String> = ["report.monthly", "retention.purge"]

    let scheduler: Scheduler
    let store: Store
    let state: DaemonState
    let logger: Logger

    func run() async throws {
        await scheduler.attach(owner: Self.owner, capabilities: Self.kinds)
        try await withTaskCancellationOrGracefulShutdownHandler {
            while let batch = try await scheduler.nextBatch(owner: Self.owner, max: 4, idle: .seconds(86_400)) {
                for job in batch {
                    var result = JobResult.done(job.id)
                    do {
                        try await carryOut(job)
                    } catch {
                        logger.error("built-in job failed", metadata: ["kawal.job": "\(job.id)", "kawal.kind": "\(job.kind)", "kawal.error": "\(error)"])
                        result = .failed(job.id, "\(error)", retryable: true)
                    }
                    try await scheduler.settle(owner: Self.owner, results: [result], attempts: [job.id: job.attempt])
                }
            }
        } onCancelOrGracefulShutdown: {
            Task { await scheduler.interrupt(owner: Self.owner) }
        }
    }

    var actor: Actor { .system(pid: Int64(getpid())) }

    func carryOut(_ job: OfferedJob) async throws {
        switch job.kind {
        case "report.monthly":
            try await sendMonthlyReport(due: job.dueAt)
        case "retention.purge":
            let outcome = try await store.purgeExpired(policy: state.configuration.retention, actor: actor)
            logger.notice("retention purge done", metadata: [
                "kawal.purged_cases": "\(outcome.purged.count)", "kawal.held_cases": "\(outcome.held.count)",
                "kawal.people_removed": "\(outcome.peopleRemoved)",
            ])
        default:
            throw StoreError.invalid(field: "kind", message: "kawald does not carry out \(job.kind) jobs itself")
        }
    }

    /// Last month's report (before the job's due time), one `notify.email` job per recipient per NOTIFY-CONTRACT.
    func sendMonthlyReport(due: Date) async throws {
        let settings = state.configuration.reports
        let period = try store.time.previousMonth(before: due)
        let report = try await PrivacyAPI.caseReport(store: store, period: period, by: settings.by, minimumCell: settings.minimumCell, actor: actor)
        let format = CaseReport.Format(rawValue: settings.format) ?? .md
        let handlers = try await store.handlers(active: true, actor: actor)
        var sent = 0
        for code in settings.recipients {
            guard let handler = handlers.first(where: { $0.record.code == code })?.record else {
                logger.warning("monthly report recipient is not an active handler", metadata: ["kawal.handler": "\(code)"])
                continue
            }
            guard let email = handler.email else {
                logger.warning("monthly report recipient has no e-mail address", metadata: ["kawal.handler": "\(code)"])
                continue
            }
            let language = handler.language == "en" || handler.language == "id" ? handler.language : settings.language
            let messageID = "report-\(period.label)-\(handler.id!)"
            let payload = NotifyPayload(
                messageID: messageID, purpose: "digest", language: language,
                to: .init(handler: String(handler.id!), name: String(handler.name.split(separator: " ").first ?? ""), email: email),
                subject: MonthlyReportMessage.subject(report, language: language),
                text: MonthlyReportMessage.text(report, format: format, language: language),
                caseCodes: [], createdAt: ISO8601DateFormatter().string(from: Date()))
            _ = try await scheduler.enqueue(kind: "notify.email", payload: WireJSON.text(payload), dueAt: Date(), idempotencyKey: "notify:\(messageID):email")
            sent += 1
        }
        logger.notice("monthly report handed to the notifiers", metadata: ["kawal.period": "\(period.label)", "kawal.recipients": "\(sent)"])
    }
}
