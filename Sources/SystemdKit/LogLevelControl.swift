import Logging
import Synchronization

/// The log level of every handler made by `SystemdLogging`, changeable at run time (on reload).
public final class LogLevelControl: Sendable {
    private let storage: Mutex<Logger.Level>

    public init(_ level: Logger.Level) {
        storage = Mutex(level)
    }

    public var level: Logger.Level {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
