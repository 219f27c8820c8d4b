import Logging

/// The swift-log handler for systemd services: structured journald entries when stderr is the
/// journal, readable single lines on stderr otherwise (`SystemdLogging.handlerFactory` chooses).
public struct SystemdLogHandler: LogHandler {
    public enum Destination: Sendable {
        /// `sd_journal_sendv`, with this `SYSLOG_IDENTIFIER`.
        case journal(identifier: String)
        /// One line per entry on standard error.
        case standardError(timestamps: Bool)
    }

    public var metadata: Logger.Metadata = [:]
    /// Follows `levelControl` when there is one; otherwise this handler's own level.
    public var logLevel: Logger.Level {
        get { levelControl?.level ?? ownLevel }
        set { ownLevel = newValue }
    }
    private var ownLevel: Logger.Level = .info
    public var levelControl: LogLevelControl?
    public let label: String
    public let destination: Destination

    public init(label: String, destination: Destination) {
        self.label = label
        self.destination = destination
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = event.metadata.map { metadata.merging($0) { _, new in new } } ?? metadata
        if let error = event.error { all["error"] = "\(error)" }
        switch destination {
        case .journal(let identifier):
            Journal.send(Journal.fields(of: event, label: label, identifier: identifier, metadata: all))
        case .standardError(let timestamps):
            StandardErrorLine.write(StandardErrorLine.format(event, label: label, metadata: all, timestamps: timestamps))
        }
    }
}
