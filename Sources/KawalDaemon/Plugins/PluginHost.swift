import Foundation
import KawalCore
import KawalStore
import Logging
import Varlink
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Starts the configured plugins, keeps them alive, and connects them to the scheduler.
/// A plugin that crashes is restarted with back-off; after `plugin_crash_limit` crashes within
/// `plugin_crash_window` it is marked failed and an administrator alert is logged, not restarted for ever.
actor PluginHost: Service {
    struct Status: Sendable {
        var name: String
        var origin: String
        var state: String
        var version: String?
        var capabilities: [String] = []
        var pid: Int32?
        var restarts = 0
        var lastError: String?
        var lastErrorAt: Date?
        var jobsDone: Int64 = 0
        var jobsFailed: Int64 = 0
    }

    let plugins: [PluginSettings]
    let scheduler: Scheduler
    let settings: SchedulerSettings
    let time: TimeContext
    let metrics: KawalMetrics
    let logger: Logger
    private var statuses: [String: Status] = [:]
    private var supervisors: [String: Task<Void, Never>] = [:]
    private var crashes: [String: [Date]] = [:]
    /// Connected external plugins, so that shutdown can end their connections.
    private var externals: [String: (channel: PluginChannel, owner: String)] = [:]
    /// Set once kawald stops taking external plugins: one that registers after that is sent away,
    /// or it would keep a stopping kawald waiting for it.
    private var closingExternals = false
    /// Serves the backup plugin's snapshot connections (see `serveExternal`).
    private var backup: BackupService?
    /// Takes handlers' messages from inbound plugins (`io.kawal.Inbound.Receive`).
    let inbound: InboundService?

    func attach(backup: BackupService) { self.backup = backup }

    /// Whether `pid` is a running plugin that registered capability `capability`.
    func isRunningPlugin(pid: pid_t?, capability: String, origin: String? = nil) -> Bool {
        guard let pid else { return false }
        return statuses.values.contains {
            $0.pid == pid && $0.state == "running" && $0.capabilities.contains(capability) && (origin == nil || $0.origin == origin)
        }
    }

    init(plugins: [PluginSettings], scheduler: Scheduler, settings: SchedulerSettings, time: TimeContext, metrics: KawalMetrics, logger: Logger,
         inbound: InboundService? = nil) {
        self.inbound = inbound
        self.plugins = plugins
        self.scheduler = scheduler
        self.settings = settings
        self.time = time
        self.metrics = metrics
        self.logger = logger
        for plugin in plugins {
            statuses[plugin.name] = Status(name: plugin.name, origin: "configured", state: plugin.enabled ? "starting" : "disabled")
        }
    }

    func run() async throws {
        for plugin in plugins where plugin.enabled {
            start(plugin)
        }
        try? await gracefulShutdown()
        await stopAll()
    }

    func list() -> [Status] {
        statuses.values.sorted { $0.name < $1.name }
    }

    func status(_ name: String) throws -> Status {
        guard let status = statuses[name] else { throw StoreError.notFound(object: "plugin/\(name)") }
        return status
    }

    func restart(_ name: String) async throws -> Status {
        guard let plugin = plugins.first(where: { $0.name == name }) else { throw StoreError.notFound(object: "plugin/\(name)") }
        await stop(name)
        crashes[name] = []
        statuses[name]?.state = "starting"
        statuses[name]?.lastError = nil
        statuses[name]?.lastErrorAt = nil
        start(plugin)
        return statuses[name]!
    }

    func setEnabled(_ name: String, _ enabled: Bool) async throws -> Status {
        guard let plugin = plugins.first(where: { $0.name == name }) else { throw StoreError.notFound(object: "plugin/\(name)") }
        if enabled {
            if supervisors[name] == nil {
                crashes[name] = []
                statuses[name]?.state = "starting"
                start(plugin)
            }
        } else {
            await stop(name)
            statuses[name]?.state = "disabled"
        }
        return statuses[name]!
    }

    private func start(_ plugin: PluginSettings) {
        supervisors[plugin.name] = Task { await self.supervise(plugin) }
    }

    private func stop(_ name: String) async {
        guard let task = supervisors.removeValue(forKey: name) else { return }
        task.cancel()
        await task.value
        if statuses[name]?.state != "failed" { statuses[name]?.state = "stopped" }
    }

    private func stopAll() async {
        for name in Array(supervisors.keys) { await stop(name) }
        await disconnectExternals()
    }

    /// Asks connected external plugins to stop and ends their connections.
    func disconnectExternals() async {
        closingExternals = true
        for (owner, external) in externals {
            await scheduler.interrupt(owner: owner)
            await external.channel.stop(timeout: 2)
            external.channel.shutdown()
        }
    }

    private func update(_ name: String, _ change: (inout Status) -> Void) {
        if var status = statuses[name] {
            change(&status)
            statuses[name] = status
        }
    }

    /// How long a plugin must have run for its restart back-off to start again from 1 s.
    static let healthyRun: TimeInterval = 60

    /// Without plugin pings an idle plugin waits for work this long at a time (a day): no wake-up
    /// an administrator would notice, and new work wakes it at once.
    static let waitWithoutPing: Double = 86_400

    /// One plugin's life: start, register, serve jobs; on failure, back off and start again.
    private func supervise(_ plugin: PluginSettings) async {
        var pluginLogger = logger
        pluginLogger[metadataKey: "kawal.plugin"] = "\(plugin.name)"
        var backoff: Double = 1
        while !Task.isCancelled {
            update(plugin.name) { $0.state = "starting" }
            let started = Date()
            let failure = await runOnce(plugin, logger: pluginLogger)
            if Task.isCancelled { break }
            let now = Date()
            // A plugin that worked for a while before it failed starts again soon; the back-off
            // grows only over failures in a row.
            if now.timeIntervalSince(started) >= Self.healthyRun { backoff = 1 }
            crashes[plugin.name, default: []].append(now)
            crashes[plugin.name]!.removeAll { now.timeIntervalSince($0) > settings.pluginCrashWindow }
            update(plugin.name) {
                $0.lastError = failure
                $0.lastErrorAt = now
                $0.restarts += 1
                $0.pid = nil
            }
            metrics.pluginRestarted(plugin: plugin.name)
            if crashes[plugin.name]!.count >= settings.pluginCrashLimit {
                update(plugin.name) { $0.state = "failed" }
                pluginLogger.critical("ALERT: plugin \(plugin.name) failed \(settings.pluginCrashLimit) times within \(Int(settings.pluginCrashWindow)) s and is not restarted; 'kawalctl plugin restart \(plugin.name)' tries again. Last failure: \(failure)",
                                      metadata: KawalMessageID.pluginFailed.metadata)
                await scheduler.publish(SchedulerEvent(event: "plugin.failed", jobID: nil, plugin: plugin.name, state: "failed", detail: failure))
                supervisors[plugin.name] = nil
                return
            }
            update(plugin.name) { $0.state = "backing_off" }
            pluginLogger.warning("plugin stopped working, restarting in \(Int(backoff)) s: \(failure)")
            try? await EventLoopSleep.sleep(for: .seconds(backoff))
            backoff = min(backoff * 2, 60)
        }
    }

    /// Starts the plugin and serves it until it fails; returns why it failed.
    private func runOnce(_ plugin: PluginSettings, logger: Logger) async -> String {
        let process: PluginProcess
        do {
            process = try PluginProcess(settings: plugin, logger: logger)
        } catch {
            return "\(error)"
        }
        update(plugin.name) { $0.pid = process.pid }
        let owner = "\(plugin.name)#\(process.pid)"
        let channel = PluginChannel(socket: process.socket, label: plugin.name)
        func cause(_ error: Error) -> String {
            var text = "\(error)"
            if let exit = process.waitForExit(timeout: 0.5) { text += "; the plugin \(exit)" }
            let lines = process.firstStderrLines
            if !lines.isEmpty { text += "; it wrote: " + lines.joined(separator: " | ") }
            return text
        }
        let registration: PluginRegistration
        do {
            registration = try await channel.handshake(expectedName: plugin.name, timeout: settings.pluginHandshakeTimeout,
                                                       leaseSeconds: Int64(settings.lease), pingSeconds: Int64(settings.pluginPing ?? 0))
        } catch {
            channel.shutdown()
            process.terminate(grace: 2)
            let reason = "handshake failed: " + cause(error)
            logger.error("\(reason)")
            return reason
        }
        update(plugin.name) {
            $0.state = "running"
            $0.version = registration.version
            $0.capabilities = registration.capabilities.sorted()
        }
        logger.notice("plugin registered", metadata: [
            "kawal.plugin_version": "\(registration.version)", "kawal.capabilities": "\(registration.capabilities.sorted().joined(separator: ","))",
        ])
        await scheduler.attach(owner: owner, capabilities: registration.capabilities)
        channel.watchForHangup { [scheduler] in Task { await scheduler.interrupt(owner: owner) } }
        // When the process ends on its own, the serve loop wakes up; it settles what the plugin
        // answered before taking the remaining leases back.
        let watcher = Task.detached { [scheduler] in
            await withCheckedContinuation { continuation in
                // A thread of its own, not a global dispatch queue: blocking there would start
                // libdispatch's 1 s pool monitor, which then wakes kawald for good.
                Thread.detachNewThread {
                    process.waitForExit(timeout: .infinity)
                    continuation.resume()
                }
            }
            channel.shutdown()
            await scheduler.interrupt(owner: owner)
        }
        defer { watcher.cancel() }
        let failure: String
        do {
            try await withTaskCancellationHandler {
                try await serve(channel: channel, owner: owner, name: plugin.name)
            } onCancel: {
                Task { await self.scheduler.interrupt(owner: owner) }
            }
            failure = Task.isCancelled ? "stopped" : cause(PluginChannelError(description: "connection ended"))
        } catch {
            failure = cause(error)
        }
        await scheduler.detach(owner: owner)
        if Task.isCancelled {
            await channel.stop(timeout: 5)
            channel.shutdown()
            process.terminate(grace: 5)
            return "stopped"
        }
        channel.shutdown()
        process.terminate(grace: 2)
        return failure
    }

    /// A plugin that connected to plugins.sock by itself (e.g. run as its own systemd unit). It is
    /// served while connected; restarting it is its service manager's business.
    func serveExternal(socket fd: CInt, peer: PeerCredentials?, allowed: Bool, groupName: String) async {
        let channel = PluginChannel(socket: fd, label: "external-\(peer?.pid ?? 0)")
        defer { channel.shutdown() }
        let refusal: VarlinkError? = allowed ? nil : VarlinkError("io.kawal.PermissionDenied", [
            "message": .string("only members of group \(groupName) may connect plugins"), "role": "none", "required_group": .string(groupName),
        ])
        let taken = Set(statuses.filter { $0.value.origin == "configured" || $0.value.state == "running" }.keys)
        let registration: PluginRegistration
        do {
            let first = try await channel.firstCall(timeout: settings.pluginHandshakeTimeout)
            // A backup plugin's second connection: it asks for a snapshot instead of registering.
            // An inbound plugin (SMS in, a chat gateway) hands over a message instead of registering.
            if first.method.hasPrefix("io.kawal.Inbound.") {
                await Self.serveInbound(channel: channel, first: first, allowed: allowed, refusal: refusal, inbound: inbound, logger: logger)
                return
            }
            if first.method.hasPrefix("io.kawal.Backup."), let backup {
                await backup.serveSnapshot(channel: channel, first: first,
                                           authorized: allowed && isRunningPlugin(pid: peer?.pid, capability: "backup"),
                                           spawned: isRunningPlugin(pid: peer?.pid, capability: "backup", origin: "configured"))
                return
            }
            registration = try await channel.handshake(expectedName: nil, takenNames: taken, refusal: refusal, timeout: settings.pluginHandshakeTimeout,
                                                       leaseSeconds: Int64(settings.lease), pingSeconds: Int64(settings.pluginPing ?? 0), firstCall: first)
        } catch {
            logger.warning("external plugin not accepted: \(error)", metadata: ["kawal.peer_pid": "\(peer?.pid ?? 0)"])
            return
        }
        if closingExternals || Task.isCancelled {
            await channel.stop(timeout: 2)
            return
        }
        let name = registration.name
        var pluginLogger = logger
        pluginLogger[metadataKey: "kawal.plugin"] = "\(name)"
        statuses[name] = Status(name: name, origin: "external", state: "running", version: registration.version,
                                capabilities: registration.capabilities.sorted(), pid: peer?.pid)
        pluginLogger.notice("external plugin registered", metadata: ["kawal.capabilities": "\(registration.capabilities.sorted().joined(separator: ","))"])
        let owner = "\(name)@\(peer?.pid ?? 0)"
        externals[owner] = (channel, owner)
        defer { externals[owner] = nil }
        await scheduler.attach(owner: owner, capabilities: registration.capabilities)
        let scheduler = self.scheduler
        channel.watchForHangup { Task { await scheduler.interrupt(owner: owner) } }
        var reason = "disconnected"
        do {
            try await withTaskCancellationHandler {
                try await serve(channel: channel, owner: owner, name: name)
            } onCancel: {
                Task { await self.scheduler.interrupt(owner: owner) }
            }
        } catch {
            reason = "\(error)"
        }
        await scheduler.detach(owner: owner)
        update(name) {
            $0.state = "stopped"
            $0.lastError = reason
            $0.lastErrorAt = Date()
            $0.pid = nil
        }
        pluginLogger.notice("external plugin gone: \(reason)")
    }

    /// Offers jobs to a plugin and settles its answers. Two batches may be in flight: while the
    /// plugin works on one, the next is leased and queued behind it on the connection, so the
    /// plugin never waits for kawald to settle and lease between batches.
    private func serve(channel: PluginChannel, owner: String, name: String) async throws {
        let time = self.time
        var inFlight: [(mailbox: ResultMailbox, attempts: [Int64: Int64])] = []
        while !Task.isCancelled {
            if inFlight.count < 2 {
                // Wait for work only when nothing is in flight; otherwise take what is ready now.
                let idle: Duration? = inFlight.isEmpty ? .seconds(settings.pluginPing ?? Self.waitWithoutPing) : nil
                guard let batch = try await scheduler.nextBatch(owner: owner, max: 1000, idle: idle) else { return }
                if !batch.isEmpty {
                    let attempts = Dictionary(batch.map { ($0.id, $0.attempt) }, uniquingKeysWith: { a, _ in a })
                    inFlight.append((channel.run(batch, timeout: settings.lease, display: { time.display($0) }), attempts))
                    continue
                }
                if inFlight.isEmpty {
                    if let ping = settings.pluginPing { try await channel.ping(timeout: min(10, ping)) }
                    continue
                }
            }
            // Settle answers as they arrive: a crash mid-batch loses only the unanswered jobs.
            let (mailbox, attempts) = inFlight.removeFirst()
            while let results = try await mailbox.take() {
                try await scheduler.settle(owner: owner, results: results, attempts: attempts)
                let done = Int64(results.filter(\.ok).count)
                update(name) {
                    $0.jobsDone += done
                    $0.jobsFailed += Int64(results.count) - done
                }
                // The plugin is on the last batch: queue the next one behind it now.
                if inFlight.isEmpty, let batch = try await scheduler.nextBatch(owner: owner, max: 1000, idle: nil), !batch.isEmpty {
                    let attempts = Dictionary(batch.map { ($0.id, $0.attempt) }, uniquingKeysWith: { a, _ in a })
                    inFlight.append((channel.run(batch, timeout: settings.lease, display: { time.display($0) }), attempts))
                }
            }
        }
    }
}
