import CoreMetrics
import Foundation
import Prometheus
import Synchronization
import Varlink

/// kawald's metrics: swift-metrics handles on a Prometheus registry of kawald's own (no global
/// `MetricsSystem` bootstrap, so several daemons can run in one test process).
///
/// Features record what happens through the methods below; `render` gives the Prometheus text
/// that `kawalctl metrics` prints and the `[metrics] textfile` holds:
///
/// ```swift
/// metrics.reminderSent(channel: "sms")
/// metrics.backupSucceeded(at: Date())
/// ```
///
/// | name | type | labels | meaning |
/// |---|---|---|---|
/// | `kawal_requests_total` | counter | method | calls answered on the control socket |
/// | `kawal_request_errors_total` | counter | method | of those, answered with an error |
/// | `kawal_request_duration_seconds` | histogram | method | dispatch to final reply |
/// | `kawal_jobs` | gauge | state | jobs by state (pending, leased, dead, stale) |
/// | `kawal_plugin_restarts_total` | counter | plugin | restarts of a plugin kawald supervises |
/// | `kawal_reminders_sent_total` | counter | channel | reminders delivered |
/// | `kawal_reminders_failed_total` | counter | channel | reminder deliveries that failed |
/// | `kawal_backup_last_success_timestamp_seconds` | gauge | | Unix time of the last good backup |
/// | `kawal_backup_last_success_age_seconds` | gauge | | seconds since then, as of the rendering |
/// | `kawal_backups_failed_total` | counter | | backups that failed |
/// | `kawal_start_time_seconds` | gauge | | Unix time kawald started |
///
/// Methods outside the served interfaces are counted under `method="other"`, so a caller cannot
/// grow the registry by inventing method names.
public final class KawalMetrics: Sendable {
    public enum Name {
        public static let requests = "kawal_requests_total"
        public static let requestErrors = "kawal_request_errors_total"
        public static let requestDuration = "kawal_request_duration_seconds"
        public static let jobs = "kawal_jobs"
        public static let pluginRestarts = "kawal_plugin_restarts_total"
        public static let remindersSent = "kawal_reminders_sent_total"
        public static let remindersFailed = "kawal_reminders_failed_total"
        public static let backupLastSuccess = "kawal_backup_last_success_timestamp_seconds"
        public static let backupLastSuccessAge = "kawal_backup_last_success_age_seconds"
        public static let backupsFailed = "kawal_backups_failed_total"
        public static let startTime = "kawal_start_time_seconds"
    }

    /// The job states always reported, even at zero, so that alerts on them have a series to read.
    public static let jobStates = ["pending", "leased", "dead", "stale"]

    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let lastBackup = Mutex<Date?>(nil)

    public init(startedAt: Date = Date()) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Control calls take tens of microseconds to a few hundred milliseconds; the default buckets start at 5 ms.
        factory.durationHistogramBuckets[Name.requestDuration] = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10),
        ]
        self.registry = registry
        self.factory = factory
        gauge(Name.startTime).record(startedAt.timeIntervalSince1970)
        for state in Self.jobStates { gauge(Name.jobs, [("state", state)]).record(0) }
    }

    // MARK: What features record

    public func pluginRestarted(plugin: String) {
        counter(Name.pluginRestarts, [("plugin", plugin)]).increment()
    }

    public func reminderSent(channel: String) {
        counter(Name.remindersSent, [("channel", channel)]).increment()
    }

    public func reminderFailed(channel: String) {
        counter(Name.remindersFailed, [("channel", channel)]).increment()
    }

    /// A backup was written and checked; also call it at start with the time of the newest good backup.
    public func backupSucceeded(at time: Date) {
        let newest = lastBackup.withLock { last -> Date in
            if let last, last > time { return last }
            last = time
            return time
        }
        gauge(Name.backupLastSuccess).record(newest.timeIntervalSince1970)
    }

    public func backupFailed() {
        counter(Name.backupsFailed).increment()
    }

    /// The number of jobs in each state, as the store counts them.
    public func setJobCounts(_ counts: [String: Int64]) {
        for state in Set(Self.jobStates).union(counts.keys) {
            gauge(Name.jobs, [("state", state)]).record(counts[state] ?? 0)
        }
    }

    /// Counts and times every call `service` answers (see `VarlinkService.observeCall`).
    public func observeCalls<Context: Sendable>(of service: inout VarlinkService<Context>) {
        var perMethod: [String: RequestSeries] = [:]
        for interfaceName in service.interfaceNames {
            guard let interface = service.interface(named: interfaceName) else { continue }
            for method in interface.methods.keys {
                let name = interfaceName + "." + method
                perMethod[name] = RequestSeries(metrics: self, method: name)
            }
        }
        let other = RequestSeries(metrics: self, method: "other")
        service.observeCall = { [perMethod] method, failed, elapsed in
            (perMethod[method] ?? other).record(failed: failed, elapsed: elapsed)
        }
    }

    // MARK: Rendering

    /// The Prometheus text exposition of every metric, with the backup age as of `now`.
    public func render(now: Date = Date()) -> String {
        if let last = lastBackup.withLock({ $0 }) {
            gauge(Name.backupLastSuccessAge).record(max(0, now.timeIntervalSince(last)))
        }
        return registry.emitToString()
    }

    // MARK: Handles

    struct RequestSeries: Sendable {
        let calls: CoreMetrics.Counter
        let errors: CoreMetrics.Counter
        let duration: CoreMetrics.Timer

        init(metrics: KawalMetrics, method: String) {
            calls = metrics.counter(Name.requests, [("method", method)])
            errors = metrics.counter(Name.requestErrors, [("method", method)])
            duration = CoreMetrics.Timer(label: Name.requestDuration, dimensions: [("method", method)], factory: metrics.factory)
        }

        func record(failed: Bool, elapsed: Duration) {
            calls.increment()
            if failed { errors.increment() }
            duration.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
    }

    func counter(_ name: String, _ labels: [(String, String)] = []) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: name, dimensions: labels, factory: factory)
    }

    func gauge(_ name: String, _ labels: [(String, String)] = []) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: name, dimensions: labels, factory: factory)
    }
}
