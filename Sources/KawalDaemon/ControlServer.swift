import KawalCore
import Logging
import NIOCore
import ServiceLifecycle
import SystemdKit
import UnixSignals
import Varlink
import VarlinkNIO
#if canImport(Glibc)
import Glibc
#endif

/// Serves the io.kawal interfaces on the control socket until shutdown.
struct ControlServer: Service {
    let service: VarlinkService<Caller>
    let endpoint: VarlinkServer<Caller>.Endpoint
    let socketPath: String
    let group: any EventLoopGroup
    let state: DaemonState
    let logger: Logger
    /// Called once the socket listens; the daemon then tells systemd it is ready.
    let onListening: @Sendable () -> Void
    let onShutdown: @Sendable () -> Void

    func run() async throws {
        let state = self.state
        let logger = self.logger
        let server = VarlinkServer(
            service: service, endpoint: endpoint, group: group,
            maximumMessageSize: state.configuration.maximumMessageSize,
            onEvent: { event in
                switch event {
                case .connectionOpened: state.connectionOpened()
                case .connectionClosed: state.connectionClosed()
                case .protocolViolation(let peer, let reason):
                    logger.warning("closed a control connection that broke the varlink protocol: \(reason)",
                                   metadata: ["kawal.peer_pid": "\(peer?.pid ?? 0)", "kawal.peer_uid": "\(peer?.uid ?? 0)"])
                }
            },
            makeContext: { peer in state.accessPolicy.caller(for: peer) }
        )
        let activated: Bool
        if case .listeningSocket = endpoint { activated = true } else { activated = false }
        // Recorded before the first connection can be accepted, so that Status always lists it.
        state.addSocket(.init(name: "control", path: socketPath, activated: activated))
        let channel = try await server.start()
        logger.info("listening", metadata: ["kawal.socket": "\(socketPath)", "kawal.activated": "\(activated)"])
        onListening()
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            onShutdown()
            channel.close(promise: nil)
        }
        // A socket we bound ourselves is ours to remove; an activated one belongs to systemd.
        if !activated { unlink(socketPath) }
    }
}

/// Pings the systemd watchdog from the event loop, so that a stuck loop stops the pings and
/// systemd restarts kawald. Finishes at once when the watchdog is off.
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let eventLoop: any EventLoop
    let logger: Logger

    func run() async throws {
        guard let interval = notifier.watchdogPingInterval() else { return }
        let nanoseconds = interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000
        logger.debug("watchdog on", metadata: ["kawal.ping_interval_ms": "\(nanoseconds / 1_000_000)"])
        let notifier = self.notifier
        let task = eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: .nanoseconds(nanoseconds)) { _ in
            notifier.watchdog()
        }
        defer { task.cancel() }
        try? await gracefulShutdown()
    }
}

/// Reloads the configuration on SIGHUP.
struct ReloadOnHangupService: Service {
    let reloader: Reloader

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            _ = try? reloader.reload(trigger: "SIGHUP")
        }
    }
}
