import Foundation

/// File names in a backup folder: `kawal-YYYYMMDDTHHMMSSZ.db.zst.age`, its manifest and its off-site record.
public enum BackupNaming {
    public static let prefix = "kawal-"
    public static let dataSuffix = ".db.zst.age"
    public static let manifestSuffix = ".manifest.json"
    /// The record of the off-site copy (restic), when one is configured.
    public static let offsiteSuffix = ".offsite.json"
    /// Files being written start with this; they are never listed and are removed when stale.
    public static let temporaryPrefix = ".tmp-"

    public static func id(for date: Date) -> String {
        prefix + compactFormatter.string(from: date)
    }

    public static func dataFile(id: String) -> String { id + dataSuffix }
    public static func manifestFile(id: String) -> String { id + manifestSuffix }
    public static func offsiteFile(id: String) -> String { id + offsiteSuffix }

    /// The id in a data or manifest file name.
    public static func id(fromFileName name: String) -> String? {
        guard name.hasPrefix(prefix) else { return nil }
        for suffix in [dataSuffix, manifestSuffix] where name.hasSuffix(suffix) {
            let id = String(name.dropLast(suffix.count))
            return date(ofID: id) == nil ? nil : id
        }
        return nil
    }

    public static func date(ofID id: String) -> Date? {
        guard id.hasPrefix(prefix) else { return nil }
        return compactFormatter.date(from: String(id.dropFirst(prefix.count)))
    }

    public static func timestamp(_ date: Date) -> String { isoFormatter.string(from: date) }
    public static func parseTimestamp(_ text: String) -> Date? { isoFormatter.date(from: text) }

    private static var compactFormatter: DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter
    }

    private static var isoFormatter: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }
}
