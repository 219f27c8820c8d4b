import CSystemd
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Writing entries to journald: `MESSAGE`, `PRIORITY`, `CODE_FILE`, `CODE_LINE`, `CODE_FUNC`,
/// `SYSLOG_IDENTIFIER`, and each metadata key as an upper-case field (`kawal.plugin` becomes `KAWAL_PLUGIN`).
public enum Journal {
    static func fields(of event: LogEvent, label: String, identifier: String, metadata: Logger.Metadata) -> [String] {
        var fields = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(event.level.syslogPriority)",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
            "LOGGER=\(label)",
        ]
        for (key, value) in metadata {
            guard let name = fieldName(key) else { continue }
            fields.append("\(name)=\(value)")
        }
        return fields
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
