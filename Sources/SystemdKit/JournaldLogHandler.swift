import CSystemd
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes structured entries to journald with `sd_journal_sendv`:
/// `MESSAGE`, `PRIORITY`, `CODE_FILE`, `CODE_LINE`, `CODE_FUNC`, `SYSLOG_IDENTIFIER`, and each
/// metadata key as an upper-case field (`kawal.plugin` becomes `KAWAL_PLUGIN`).
public struct JournaldLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    /// Follows `levelControl` when there is one; otherwise this handler's own level.
    public var logLevel: Logger.Level {
        get { levelControl?.level ?? ownLevel }
        set { ownLevel = newValue }
    }
    private var ownLevel: Logger.Level = .info
    public var levelControl: LogLevelControl?
    public let label: String
    public let identifier: String

    public init(label: String, identifier: String) {
        self.label = label
        self.identifier = identifier
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(event.level.syslogPriority)",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
            "LOGGER=\(label)",
        ]
        if let error = event.error { fields.append("ERROR=\(error)") }
        let all = event.metadata.map { metadata.merging($0) { _, new in new } } ?? metadata
        for (key, value) in all {
            guard let name = Self.fieldName(key) else { continue }
            fields.append("\(name)=\(value)")
        }
        Self.send(fields)
    }

    /// Journal field names are upper-case letters, digits and underscores, not starting with an
    /// underscore (reserved for trusted fields) or a digit, at most 64 characters.
    public static func fieldName(_ key: String) -> String? {
        var name = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": name.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
            case "A"..."Z", "0"..."9": name.unicodeScalars.append(scalar)
            default: name.append("_")
            }
        }
        while name.hasPrefix("_") { name.removeFirst() }
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return nil }
        return String(name.prefix(64))
    }

    /// Sends `FIELD=value` strings as one entry. Values may contain newlines: each field is its own iovec.
    static func send(_ fields: [String]) {
        var storage: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = storage.count
            storage.append(contentsOf: field.utf8)
            ranges.append(start..<storage.count)
        }
        storage.withUnsafeMutableBytes { raw in
            var iovecs = ranges.map { range in
                iovec(iov_base: raw.baseAddress! + range.lowerBound, iov_len: range.count)
            }
            _ = sd_journal_sendv(&iovecs, CInt(iovecs.count))
        }
    }
}

extension Logger.Level {
    /// syslog(3) priorities, as journald expects them.
    public var syslogPriority: Int {
        switch self {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }
}
