import Foundation

/// What a backup is: written beside each `kawal-…db.zst.age` as `kawal-….manifest.json`, last, so
/// that a backup without its manifest is never taken for a complete one.
///
/// ```json
/// {"format": "kawal-backup/1", "id": "kawal-20261201T010000Z", "file": "kawal-20261201T010000Z.db.zst.age",
///  "created": "2026-12-01T01:00:00Z", "plaintext_bytes": 1048576, "ciphertext_bytes": 90112, …}
/// ```
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let currentFormat = "kawal-backup/1"
    public var format = BackupManifest.currentFormat
    public var id: String
    public var file: String
    /// When the snapshot was taken (UTC, ISO 8601).
    public var created: String
    /// The SQLite database, before compression.
    public var plaintextBytes: Int64
    public var plaintextSHA256: String
    /// The file as stored (zstd, then age).
    public var ciphertextBytes: Int64
    public var ciphertextSHA256: String
    public var compressedBytes: Int64
    public var compression: String
    public var compressionLevel: Int
    public var encryption = "age-encryption.org/v1 X25519"
    /// The age recipients (public keys) the file is encrypted to.
    public var recipients: [String]
    /// Number of schema migrations the database has.
    public var schemaVersion: Int
    public var counts: [String: Int64]
    /// `PRAGMA integrity_check` of the snapshot before it was compressed.
    public var integrityCheck: String
    public var toolVersion: String
    /// The kawald job that made it, when a job did.
    public var jobID: Int64?

    enum CodingKeys: String, CodingKey {
        case format, id, file, created, compression, encryption, recipients, counts
        case plaintextBytes = "plaintext_bytes", plaintextSHA256 = "plaintext_sha256"
        case ciphertextBytes = "ciphertext_bytes", ciphertextSHA256 = "ciphertext_sha256"
        case compressedBytes = "compressed_bytes", compressionLevel = "compression_level"
        case schemaVersion = "schema_version", integrityCheck = "integrity_check", toolVersion = "tool_version", jobID = "job_id"
    }

    public init(id: String, created: String, plaintextBytes: Int64, plaintextSHA256: String, ciphertextBytes: Int64, ciphertextSHA256: String,
                compressedBytes: Int64, compressionLevel: Int, recipients: [String], schemaVersion: Int, counts: [String: Int64],
                integrityCheck: String, toolVersion: String, jobID: Int64?) {
        self.id = id
        file = BackupNaming.dataFile(id: id)
        self.created = created
        self.plaintextBytes = plaintextBytes
        self.plaintextSHA256 = plaintextSHA256
        self.ciphertextBytes = ciphertextBytes
        self.ciphertextSHA256 = ciphertextSHA256
        self.compressedBytes = compressedBytes
        compression = "zstd"
        self.compressionLevel = compressionLevel
        self.recipients = recipients
        self.schemaVersion = schemaVersion
        self.counts = counts
        self.integrityCheck = integrityCheck
        self.toolVersion = toolVersion
        self.jobID = jobID
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    public static func decode(_ data: Data) throws -> BackupManifest {
        try JSONDecoder().decode(BackupManifest.self, from: data)
    }

    public var createdDate: Date? { BackupNaming.parseTimestamp(created) }
}

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
