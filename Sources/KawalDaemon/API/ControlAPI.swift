import Foundation
import KawalCore
import KawalDomain
import KawalStore
import Logging
import SystemdKit
import Varlink

/// The io.kawal interfaces served on the control socket.
public struct ControlAPI: Sendable {
    let state: DaemonState
    let store: Store
    let scheduler: Scheduler
    let plugins: PluginHost
    let timers: TimerService
    let reloader: Reloader
    let backup: BackupService
    let logger: Logger
    let reminders: ReminderService
    let composer: MessageComposer

    public func makeService() throws -> VarlinkService<Caller> {
        let state = self.state
        var service = VarlinkService<Caller>(
            vendor: "Lombok Research Center", product: "kawald", version: KawalDefaults.version,
            url: "file:///usr/share/doc/kawal/README.md"
        ) { request in
            let required = Authorization.requiredRole(forMethod: request.call.method)
            guard request.context.role >= required else {
                return state.accessPolicy.refusal(for: request.context, required: required)
            }
            return nil
        }
        let logger = self.logger
        service.mapError = { error, call in
            if let error = error as? StoreError {
                return RecordsAPI.varlinkError(error, policy: state.accessPolicy)
            }
            logger.error("call failed", metadata: ["kawal.method": "\(call.method)", "kawal.error": "\(error)"])
            return VarlinkError("io.kawal.InternalError", ["message": .string("\(call.method) failed inside kawald; see its log")])
        }
        try service.register(interface: KawalInterfaces.common, methods: [:])
        let records = RecordsAPI(store: store)
        try service.register(interface: KawalInterfaces.people, methods: records.people)
        try service.register(interface: KawalInterfaces.cases, methods: records.cases)
        try service.register(interface: KawalInterfaces.handlers, methods: records.handlers)
        let privacy = PrivacyAPI(records: records, state: state)
        try service.register(interface: KawalInterfaces.reports, methods: privacy.reports)
        try service.register(interface: KawalInterfaces.privacy, methods: privacy.privacy)
        try service.register(interface: KawalInterfaces.audit, methods: Self.alertingOnBrokenChain(records.audit, logger: logger))
        try service.register(interface: KawalInterfaces.jobs, methods: JobsAPI(records: records, store: store, scheduler: scheduler, plugins: plugins, timers: timers).methods)
        try service.register(interface: KawalInterfaces.events, methods: ["Subscribe": EventsAPI.subscribe(scheduler)])
        try service.register(interface: KawalInterfaces.imports, methods: ImportAPI(records: records, sessions: ImportSessions()).methods)
        try service.register(interface: KawalInterfaces.backup, methods: BackupAPI(backup: backup, plugins: plugins, records: records).methods)
        try service.register(interface: KawalInterfaces.reminders, methods: RemindersAPI(records: records, reminders: reminders, composer: composer).methods)
        try service.register(interface: KawalInterfaces.messages, methods: MessagesAPI(records: records).methods)
        try service.register(interface: KawalInterfaces.daemon, methods: [
            "Ping": .immediate { _ in [:] },
            "Version": .immediate { _ in
                ["version": .string(KawalDefaults.version), "protocol_version": .int(Int64(KawalInterfaces.protocolVersion))]
            },
            "Status": .async { [store, scheduler, plugins, backup] request in
                var status = try await Self.status(state: state, store: store, scheduler: scheduler, plugins: plugins, caller: request.context)
                let health = await backup.health()
                if health.configured {
                    status["backup"] = [
                        "last_success": health.lastSuccess.map { .string(store.time.display($0)) } ?? .null,
                        "age_seconds": health.age.map { .double($0) } ?? .null, "max_age_seconds": .double(health.maximumAge), "stale": .bool(health.stale),
                        "offsite_configured": .bool(health.offsiteConfigured),
                        "offsite_last_success": health.offsiteLastSuccess.map { .string(store.time.display($0)) } ?? .null,
                        "offsite_age_seconds": health.offsiteLastSuccess.map { .double(Date().timeIntervalSince($0)) } ?? .null,
                        "offsite_error": health.offsiteError.map { .string($0) } ?? .null,
                    ]
                }
                return status
            },
            "Doctor": .async { [store, scheduler, plugins, backup] _ in
                let facts = try await DoctorFacts.gather(state: state, store: store, scheduler: scheduler, plugins: plugins, backup: backup)
                return ["checks": .array(Doctor(facts).checks().map(\.json))]
            },
            "Metrics": .async { [store] _ in
                ["text": .string(try await MetricsReporter(metrics: state.metrics, store: store).render())]
            },
            "Reload": .async { [reloader] _ in
                let outcome = try reloader.reload(trigger: "varlink call")
                return [
                    "config_path": outcome.configPath.map { .string($0) } ?? .null,
                    "changed": .array(outcome.changed.map { .string($0) }),
                    "restart_needed": .array(outcome.restartNeeded.map { .string($0) }),
                ]
            },
        ])
        return service
    }

    /// A broken audit chain is a security incident, whoever asked: it goes to the journal with its
    /// catalog MESSAGE_ID as well as to the caller.
    static func alertingOnBrokenChain(_ methods: [String: VarlinkMethodImplementation<Caller>], logger: Logger) -> [String: VarlinkMethodImplementation<Caller>] {
        guard case .async(let verify)? = methods["Verify"] else { return methods }
        var alerting = methods
        alerting["Verify"] = .async { request in
            let reply = try await verify(request)
            if reply["ok"] == .bool(false) {
                logger.critical("ALERT: the audit log's hash chain is broken at event \(reply["first_broken"]?.intValue ?? 0): an event was changed or removed outside kawald",
                                metadata: KawalMessageID.auditChainBroken.metadata(["kawal.audit_event": "\(reply["first_broken"]?.intValue ?? 0)"]))
            }
            return reply
        }
        return alerting
    }

    static func status(state: DaemonState, store: Store, scheduler: Scheduler, plugins: PluginHost, caller: Caller) async throws -> [String: JSONValue] {
        let configuration = state.configuration
        let storage = try await store.summary()
        var counts = storage.counts.mapValues { JSONValue.int($0) }
        counts["control_connections"] = .int(Int64(state.openConnections))
        let jobs = storage.jobs
        for jobState in ["pending", "leased", "dead", "stale"] { counts["jobs_\(jobState)"] = .int(jobs[jobState] ?? 0) }
        let pluginStates = await plugins.list().map(\.state)
        counts["plugins_running"] = .int(Int64(pluginStates.filter { $0 == "running" }.count))
        counts["plugins_failed"] = .int(Int64(pluginStates.filter { $0 == "failed" }.count))
        let configPath: JSONValue
        if case .file(let path) = state.source { configPath = .string(path) } else { configPath = .null }
        let uptime = state.uptime.components
        return [
            "version": .string(KawalDefaults.version),
            "pid": .int(Int64(getpid())),
            "started_at": .string(state.startedAtText),
            "uptime_seconds": .double(Double(uptime.seconds) + Double(uptime.attoseconds) / 1e18),
            "config_path": configPath,
            "state_dir": .string(configuration.stateDirectory),
            "runtime_dir": .string(configuration.runtimeDirectory),
            "time_zone": .string(configuration.timeZone),
            "storage": [
                "state": "open",
                "path": .string(storage.path),
                "schema_version": .int(Int64(storage.schemaVersion)),
                "journal_mode": .string(storage.journalMode),
                "size_bytes": .int(storage.sizeBytes),
                "instance_id": .string(storage.instanceID),
            ],
            "sockets": .array(state.sockets.map {
                ["name": .string($0.name), "path": .string($0.path), "activated": .bool($0.activated)]
            }),
            "counts": .object(counts),
            "role": .string(caller.role.rawValue),
            "caller_uid": .int(Int64(caller.credentials?.uid ?? 0)),
            "reloads": .int(Int64(state.reloads)),
        ]
    }
}

/// Reloads the configuration, telling systemd around it (RELOADING=1, then READY=1).
public struct Reloader: Sendable {
    let state: DaemonState
    let notifier: SystemdNotifier
    let logger: Logger

    @discardableResult
    public func reload(trigger: String) throws -> DaemonState.ReloadOutcome {
        notifier.reloading(status: "Reloading configuration")
        do {
            let outcome = try state.reload()
            logger.notice("configuration reloaded", metadata: [
                "kawal.trigger": "\(trigger)",
                "kawal.changed": "\(outcome.changed.isEmpty ? "nothing" : outcome.changed.joined(separator: ","))",
                "kawal.restart_needed": "\(outcome.restartNeeded.joined(separator: ","))",
            ])
            notifier.ready(status: ReadyStatus.line(state))
            return outcome
        } catch {
            logger.error("configuration not reloaded, keeping the running one: \(error)", metadata: ["kawal.trigger": "\(trigger)"])
            notifier.ready(status: "Reload refused: \(error); running configuration kept")
            throw VarlinkError("io.kawal.ConfigInvalid", [
                "file": .string(error.file), "line": .int(Int64(error.line)), "key": .string(error.key), "message": .string(error.message),
            ])
        }
    }
}

/// The one-line STATUS= summary.
enum ReadyStatus {
    static func line(_ state: DaemonState) -> String {
        let sockets = state.sockets.map { "\($0.name) \($0.path)\($0.activated ? " (activated)" : "")" }.joined(separator: ", ")
        return "Serving \(sockets); database open"
    }
}
