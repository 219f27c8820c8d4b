import Foundation

/// What a backup is: written by the backup plugin beside each `kawal-…db.zst.age` as
/// `kawal-….manifest.json`, last, so that a backup without its manifest is never taken for a complete
/// one. kawald reads it from the backup folder and hands it to kawalctl in `io.kawal.Backup`'s
/// `Backup.manifest`, as the file's text (the IDL declares a string).
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

    public init(id: String, file: String, created: String, plaintextBytes: Int64, plaintextSHA256: String, ciphertextBytes: Int64, ciphertextSHA256: String,
                compressedBytes: Int64, compressionLevel: Int, recipients: [String], schemaVersion: Int, counts: [String: Int64],
                integrityCheck: String, toolVersion: String, jobID: Int64?) {
        self.id = id
        self.file = file
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

    /// The manifest file's bytes: indented for people, with a final newline.
    public var fileContents: Data { WireJSON.encode(self, pretty: true) + Data("\n".utf8) }
}
