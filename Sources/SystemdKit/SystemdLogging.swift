import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Picks the log destination the way systemd services should: the journal when standard error is
/// connected to it (`JOURNAL_STREAM` names stderr's device and inode), readable lines on stderr otherwise.
public enum SystemdLogging {
    /// Whether stderr is a stream to journald.
    public static func stderrIsJournal() -> Bool {
        guard let value = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// A factory for `LoggingSystem.bootstrap`.
    public static func handlerFactory(identifier: String, level: LogLevelControl) -> @Sendable (String) -> any LogHandler {
        let journal = stderrIsJournal()
        let destination: SystemdLogHandler.Destination = journal ? .journal(identifier: identifier) : .standardError(timestamps: true)
        return { label in
            var handler = SystemdLogHandler(label: label, destination: destination)
            handler.levelControl = level
            return handler
        }
    }
}
