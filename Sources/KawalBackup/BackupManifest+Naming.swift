import Foundation
import KawalContracts

extension BackupManifest {
    /// The manifest of backup `id`, whose data file is named after it.
    public init(id: String, created: String, plaintextBytes: Int64, plaintextSHA256: String, ciphertextBytes: Int64, ciphertextSHA256: String,
                compressedBytes: Int64, compressionLevel: Int, recipients: [String], schemaVersion: Int, counts: [String: Int64],
                integrityCheck: String, toolVersion: String, jobID: Int64?) {
        self.init(id: id, file: BackupNaming.dataFile(id: id), created: created, plaintextBytes: plaintextBytes, plaintextSHA256: plaintextSHA256,
                  ciphertextBytes: ciphertextBytes, ciphertextSHA256: ciphertextSHA256, compressedBytes: compressedBytes,
                  compressionLevel: compressionLevel, recipients: recipients, schemaVersion: schemaVersion, counts: counts,
                  integrityCheck: integrityCheck, toolVersion: toolVersion, jobID: jobID)
    }

    public var createdDate: Date? { BackupNaming.parseTimestamp(created) }
}
