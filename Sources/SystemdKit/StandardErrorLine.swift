import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Readable single-line entries for terminals and containers:
/// `2026-12-01T08:00:00.123Z info kawald: message key=value`.
/// Newlines inside a message are written as `\n`, so every entry stays one line.
enum StandardErrorLine {
    static func format(_ event: LogEvent, label: String, metadata: Logger.Metadata, timestamps: Bool) -> String {
        var text = timestamps ? timestamp() + " " : ""
        text += "\(event.level) \(label): \(event.message)"
        for key in metadata.keys.sorted() {
            let value = "\(metadata[key]!)"
            text += " \(key)=" + (value.contains(" ") ? "\"\(value)\"" : value)
        }
        return text
    }

    static func write(_ text: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 1)
        for byte in text.utf8 {
            if byte == 0x0A {
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            } else {
                bytes.append(byte)
            }
        }
        bytes.append(0x0A)
        bytes.withUnsafeBytes { _ = Glibc.write(STDERR_FILENO, $0.baseAddress!, $0.count) }
    }

    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var seconds = ts.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
    }
}
