import Foundation
import KawalCalendar
import KawalCore
import KawalStore
import Logging
import NIOPosix
import ServiceLifecycle
import SystemdKit
import Varlink
import VarlinkNIO
#if canImport(Glibc)
import Glibc
#endif

/// kawald: reads its configuration, opens the store, and runs its services until told to stop.
public enum Daemon {
    /// Exit status for an unusable configuration (sysexits' EX_CONFIG), so that a unit can refuse to restart on it.
    public static let exitConfigurationError: Int32 = 78

    public static func run(_ launch: DaemonState.Launch) async -> Int32 {
        // A SIGHUP that comes before the reload service listens must not end kawald (the default
        // action): until then there is nothing to reload, the configuration is being read anyway.
        signal(SIGHUP, SIG_IGN)
        let configuration: Configuration
        let source: Configuration.Source
        do {
            (configuration, source) = try DaemonState.loadConfiguration(launch)
        } catch {
            printError("kawald: \(error)")
            return exitConfigurationError
        }
        let state = DaemonState(launch: launch, configuration: configuration, source: source)
        LoggingSystem.bootstrap(SystemdLogging.handlerFactory(identifier: "kawald", level: state.logLevel))
        let logger = Logger(label: "kawald")
        let notifier = SystemdNotifier()

        do {
            try makeDirectory(configuration.stateDirectory, mode: 0o700)
            try makeDirectory(configuration.runtimeDirectory, mode: 0o755)
        } catch {
            logger.critical("cannot prepare directories: \(error)")
            return 1
        }

        let controlPath = configuration.runtimeDirectory + "/" + KawalDefaults.controlSocketName
        let endpoint: VarlinkServer<Caller>.Endpoint
        let inherited = SocketActivation.inheritedSockets()
        if let control = inherited.first(where: { $0.name == "control" }) ?? (inherited.count == 1 && inherited[0].name == "unknown" ? inherited.first : nil) {
            endpoint = .listeningSocket(control.fd)
        } else {
            if let running = liveDaemon(at: controlPath) {
                logger.critical("another kawald already serves \(controlPath) (pid \(running)); stop it first or use another --runtime-dir")
                return 1
            }
            endpoint = .unixSocket(path: controlPath, mode: 0o666)
        }
        for socket in inherited where !["control", "plugins"].contains(socket.name) && !(inherited.count == 1 && socket.name == "unknown") {
            logger.notice("inherited socket '\(socket.name)' is not one kawald serves (control, plugins); it stays open unused", metadata: ["kawal.fd": "\(socket.fd)"])
        }
        let inheritedPlugins = inherited.first { $0.name == "plugins" }?.fd

        let clockOffset: TimeInterval
        do {
            clockOffset = try TestClock.offset() ?? 0
        } catch {
            logger.critical("\(error)")
            return exitConfigurationError
        }
        if clockOffset != 0 { logger.warning("test clock enabled: the records' clock runs \(Int(clockOffset)) s ahead") }
        let zone = configuration.zone
        let store: Store
        do {
            store = try Store(directory: configuration.stateDirectory,
                              time: TimeContext(zone: zone.timeZone,
                                                now: { Date().addingTimeInterval(clockOffset) }))
        } catch {
            logger.critical("cannot open the database in \(configuration.stateDirectory): \(error)")
            return 1
        }
        if store.nikHashesRemade > 0 {
            // Counts and a path only: which people, and their numbers, stay in the database.
            logger.warning("the duplicate-detection key was missing: kawald made a new one and hashed the stored ID numbers again; keep a copy of the key file with the age secret key (docs/backups.md)",
                           metadata: ["kawal.people": "\(store.nikHashesRemade)", "kawal.key_file": "\(configuration.stateDirectory)/nik-hash.key"])
        }

        let composer: MessageComposer
        do {
            composer = try makeComposer(configuration, store: store)
        } catch {
            logger.critical("cannot load the message templates: \(error)")
            return exitConfigurationError
        }
        let scheduler: Scheduler
        let reminders: ReminderService
        do {
            scheduler = try Scheduler(store: store, settings: configuration.scheduler, logger: logger)
            reminders = ReminderService(store: store, scheduler: scheduler, composer: composer, logger: logger)
            try await startReminders(configuration, store: store, scheduler: scheduler, reminders: reminders, logger: logger)
            try await scheduler.recover()
        } catch {
            logger.critical("cannot start the scheduler: \(error)")
            return 1
        }
        let timerService: TimerService
        do {
            timerService = try TimerService(settings: configuration.timers, zone: zone.zoneInfo,
                                            store: store, scheduler: scheduler, logger: logger)
        } catch {
            logger.critical("cannot set up the timers: \(error)")
            return exitConfigurationError
        }
        let inbound: InboundService
        do {
            inbound = InboundService(store: store, scheduler: scheduler, composer: composer, reminders: reminders, settings: configuration.inbound,
                                     pins: try configuration.inbound.loadPINs(), logger: logger)
        } catch {
            logger.critical("cannot read the inbound PIN file: \(error)")
            return exitConfigurationError
        }
        let pluginSocketPath = configuration.runtimeDirectory + "/" + KawalDefaults.pluginSocketName
        // Spawned plugins learn where plugins.sock is: the backup plugin opens a second connection there for its snapshot.
        let pluginHost = PluginHost(plugins: configuration.plugins.map { var plugin = $0; plugin.environment["KAWAL_PLUGINS_SOCKET"] = pluginSocketPath; return plugin },
                                    scheduler: scheduler, settings: configuration.scheduler, time: store.time, metrics: state.metrics, logger: logger,
                                    inbound: inbound)
        let backupService = BackupService(settings: configuration.backup, stateDirectory: configuration.stateDirectory, store: store, scheduler: scheduler,
                                          zone: zone.timeZone, logger: logger)
        await pluginHost.attach(backup: backupService)
        await backupService.report(to: state.metrics)
        await scheduler.onOutcome { [metrics = state.metrics] kind, state in
            if kind.hasPrefix("notify.") {
                let channel = String(kind.dropFirst("notify.".count))
                if state == "done" { metrics.reminderSent(channel: channel) } else { metrics.reminderFailed(channel: channel) }
            } else if kind == "backup" || kind.hasPrefix("backup."), state == "dead" {
                metrics.backupFailed()
                logger.error("backup failed for good after its retries; 'kawalctl job list --state dead' shows why",
                             metadata: KawalMessageID.backupFailed.metadata)
            }
        }
        await backupService.onAlert { [reminders] kind, facts, key in
            _ = await reminders.raiseAlert(kind: kind, facts: facts, key: key)
        }
        await backupService.onRestore { [scheduler, timerService] in
            try await scheduler.reloadAfterRestore()
            try await timerService.resync()
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let reloader = Reloader(state: state, notifier: notifier, logger: logger)
        var service: VarlinkService<Caller>
        do {
            service = try ControlAPI(state: state, store: store, scheduler: scheduler, plugins: pluginHost, timers: timerService, reloader: reloader,
                                     backup: backupService, logger: logger, reminders: reminders, composer: composer).makeService()
        } catch {
            logger.critical("cannot set up the control interface: \(error)")
            return 1
        }
        state.metrics.observeCalls(of: &service)

        let controlServer = ControlServer(
            service: service, endpoint: endpoint, socketPath: controlPath, group: group, state: state, logger: logger,
            onListening: {
                logger.notice("kawald ready", metadata: ["kawal.version": "\(KawalDefaults.version)", "kawal.pid": "\(getpid())"])
                notifier.ready(status: ReadyStatus.line(state))
            },
            onShutdown: {
                logger.notice("kawald stopping")
                notifier.stopping(status: "Shutting down")
            }
        )
        let serviceGroup = ServiceGroup(configuration: .init(
            // Stopped in reverse order: the control socket first, then the plugins, then the scheduler.
            services: [
                .init(service: scheduler),
                .init(service: timerService),
                .init(service: reminders),
                .init(service: pluginHost),
                .init(service: backupService, successTerminationBehavior: .ignore),
                .init(service: BuiltinJobs(scheduler: scheduler, store: store, state: state, logger: logger)),
                .init(service: JobPayloadSweep(store: store, keep: configuration.scheduler.finishedJobPayloads, logger: logger),
                      successTerminationBehavior: .ignore),
                .init(service: PluginSocketService(
                    path: pluginSocketPath, inheritedFD: inheritedPlugins,
                    groupName: configuration.pluginGroup, host: pluginHost, state: state, logger: logger)),
                .init(service: controlServer),
                .init(service: WatchdogService(notifier: notifier, eventLoop: group.next(), logger: logger),
                      successTerminationBehavior: .ignore),
                .init(service: ReloadOnHangupService(reloader: reloader)),
                .init(service: MetricsTextfileService(settings: configuration.metrics, reporter: MetricsReporter(metrics: state.metrics, store: store),
                                                      logger: logger),
                      successTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        var status: Int32 = 0
        do {
            try await serviceGroup.run()
            logger.notice("kawald stopped")
        } catch {
            logger.critical("kawald stopped on an error: \(error)")
            status = 1
        }
        try? await group.shutdownGracefully()
        return status
    }

    /// Makes `path` and the folders above it; only `path` itself gets `mode` (the parents get 0755).
    static func makeDirectory(_ path: String, mode: mode_t) throws {
        var current = ""
        let components = path.split(separator: "/")
        for (index, component) in components.enumerated() {
            current += "/" + component
            // By position, not by comparing paths: "/tmp//x/state" must get its mode too.
            if mkdir(current, index == components.count - 1 ? mode : 0o755) != 0 && errno != EEXIST {
                throw VarlinkSocketError(operation: "mkdir", path: current, errno: errno)
            }
        }
    }

    /// The pid of a kawald answering on `path`, if one does.
    static func liveDaemon(at path: String) -> pid_t? {
        guard let connection = try? VarlinkConnection(unixSocketPath: path) else { return nil }
        return (try? connection.peerCredentials())?.pid
    }

    static func printError(_ message: String) {
        let line = message + "\n"
        _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }
}
