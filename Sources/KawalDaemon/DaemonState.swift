import Foundation
import KawalCore
import Logging
import Synchronization
import SystemdKit

/// What the running daemon knows about itself, shared by its services and its API.
public final class DaemonState: Sendable {
    /// How kawald was started: the config file and the command-line overrides that win over it.
    public struct Launch: Sendable {
        public var configPath: String
        public var configExplicit: Bool
        public var stateDirectory: String?
        public var runtimeDirectory: String?

        public init(configPath: String, configExplicit: Bool, stateDirectory: String?, runtimeDirectory: String?) {
            self.configPath = configPath
            self.configExplicit = configExplicit
            self.stateDirectory = stateDirectory
            self.runtimeDirectory = runtimeDirectory
        }
    }

    public struct ListeningSocket: Sendable, Equatable {
        public var name: String
        public var path: String
        public var activated: Bool
    }

    struct Mutable {
        var configuration: Configuration
        var source: Configuration.Source
        var reloads = 0
        var sockets: [ListeningSocket] = []
        var openConnections = 0
    }

    public let launch: Launch
    public let startedAt = Date()
    /// `startedAt` as ISO 8601, made once: a formatter per status call cost more than the call.
    public let startedAtText: String
    let startedInstant = ContinuousClock.now
    public let logLevel: LogLevelControl
    /// The daemon's metrics, for every feature to record into (see `KawalMetrics`).
    public let metrics = KawalMetrics()
    private let mutable: Mutex<Mutable>

    public init(launch: Launch, configuration: Configuration, source: Configuration.Source) {
        self.launch = launch
        self.startedAtText = ISO8601DateFormatter().string(from: startedAt)
        self.logLevel = LogLevelControl(configuration.logLevel)
        self.mutable = Mutex(Mutable(configuration: configuration, source: source))
    }

    /// Reads the configuration as `launch` says, with the command-line overrides applied.
    public static func loadConfiguration(_ launch: Launch) throws(ConfigurationError) -> (Configuration, Configuration.Source) {
        var (configuration, source) = try Configuration.load(path: launch.configPath, explicit: launch.configExplicit)
        if let directory = launch.stateDirectory { configuration.stateDirectory = directory }
        if let directory = launch.runtimeDirectory { configuration.runtimeDirectory = directory }
        return (configuration, source)
    }

    public var configuration: Configuration { mutable.withLock { $0.configuration } }
    public var source: Configuration.Source { mutable.withLock { $0.source } }
    public var reloads: Int { mutable.withLock { $0.reloads } }
    public var sockets: [ListeningSocket] { mutable.withLock { $0.sockets } }
    public var openConnections: Int { mutable.withLock { $0.openConnections } }

    public var accessPolicy: AccessPolicy {
        let configuration = self.configuration
        return AccessPolicy(adminGroup: configuration.adminGroup, handlerGroup: configuration.handlerGroup)
    }

    func addSocket(_ socket: ListeningSocket) {
        mutable.withLock { $0.sockets.append(socket) }
    }

    func connectionOpened() { mutable.withLock { $0.openConnections += 1 } }
    func connectionClosed() { mutable.withLock { $0.openConnections -= 1 } }

    public var uptime: Duration { ContinuousClock.now - startedInstant }

    public struct ReloadOutcome: Sendable {
        public var configPath: String?
        public var changed: [String]
        public var restartNeeded: [String]
    }

    /// Reads the configuration again and applies what can change while running. A bad file changes nothing.
    public func reload() throws(ConfigurationError) -> ReloadOutcome {
        let (fresh, source) = try Self.loadConfiguration(launch)
        let outcome: ReloadOutcome = mutable.withLock { state in
            let changed = fresh.changedKeys(from: state.configuration)
            let restartNeeded = Configuration.restartNeeded(for: changed)
            var applied = fresh
            // Settings read only at start keep their running values until a restart.
            applied.stateDirectory = state.configuration.stateDirectory
            applied.runtimeDirectory = state.configuration.runtimeDirectory
            applied.maximumMessageSize = state.configuration.maximumMessageSize
            applied.pluginGroup = state.configuration.pluginGroup
            applied.timeZone = state.configuration.timeZone
            state.configuration = applied
            state.source = source
            state.reloads += 1
            if case .file(let path) = source {
                return ReloadOutcome(configPath: path, changed: changed, restartNeeded: restartNeeded)
            }
            return ReloadOutcome(configPath: nil, changed: changed, restartNeeded: restartNeeded)
        }
        logLevel.level = fresh.logLevel
        return outcome
    }
}
