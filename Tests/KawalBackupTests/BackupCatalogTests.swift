import Foundation
import KawalBackup
import KawalContracts
import Testing

@Suite struct BackupCatalogTests {
    @Test func onlyCompleteBackupsWhoseFileMatchesTheManifestAreGood() throws {
        let directory = NSTemporaryDirectory() + "kawal-catalog-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func write(_ id: String, data: Int?, manifestSize: Int64?) throws {
            if let data {
                let file = try AtomicFile(path: directory + "/" + BackupNaming.dataFile(id: id))
                try file.write(Data(repeating: 1, count: data))
                try file.commit()
            }
            if let manifestSize {
                let manifest = BackupManifest(id: id, created: BackupNaming.timestamp(BackupNaming.date(ofID: id)!), plaintextBytes: 1, plaintextSHA256: "",
                                              ciphertextBytes: manifestSize, ciphertextSHA256: "", compressedBytes: 1, compressionLevel: 3,
                                              recipients: [], schemaVersion: 1, counts: [:], integrityCheck: "ok", toolVersion: "test", jobID: nil)
                try manifest.fileContents.write(to: URL(fileURLWithPath: directory + "/" + BackupNaming.manifestFile(id: id)))
            }
        }
        try write("kawal-20261201T010000Z", data: 10, manifestSize: 10)
        try write("kawal-20261202T010000Z", data: 10, manifestSize: nil)
        try write("kawal-20261203T010000Z", data: 7, manifestSize: 10)
        try write("kawal-20261204T010000Z", data: nil, manifestSize: 10)
        // A backup being written: only its temporary file exists.
        #expect(FileManager.default.createFile(atPath: directory + "/.tmp-kawal-20261205T010000Z.db.zst.age-99", contents: Data([1])))

        let catalog = BackupCatalog(directory: directory)
        #expect(catalog.entries.map(\.id) == ["kawal-20261204T010000Z", "kawal-20261203T010000Z", "kawal-20261202T010000Z", "kawal-20261201T010000Z"])
        #expect(catalog.entries.map(\.state) == [
            "data file missing", "data file is 7 bytes, the manifest says 10", "manifest missing (interrupted backup)", "ok",
        ])
        #expect(catalog.good.map(\.id) == ["kawal-20261201T010000Z"])
        #expect(catalog.staleTemporaryFiles(olderThan: -1).count == 1)
        #expect(catalog.staleTemporaryFiles(olderThan: 3600).count == 0)
    }

    @Test func offsiteRecordsKeepNoCredentialsAndTheCatalogueReadsThem() throws {
        #expect(OffsiteCopy.redacted("rest:https://kawal:rahasia@backup.example.org:8000/kawal") == "rest:https://backup.example.org:8000/kawal")
        #expect(OffsiteCopy.redacted("sftp:kawal@nas:/srv/restic") == "sftp:kawal@nas:/srv/restic")
        #expect(OffsiteCopy.redacted("/mnt/usb/kawal") == "/mnt/usb/kawal")
        #expect(OffsiteCopy.redacted("s3:https://s3.example.org/bucket/a@b") == "s3:https://s3.example.org/bucket/a@b")

        let directory = NSTemporaryDirectory() + "kawal-offsite-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (id, error) in [("kawal-20261201T010000Z", nil), ("kawal-20261202T010000Z", "restic backup exited with status 1")] as [(String, String?)] {
            let file = try AtomicFile(path: directory + "/" + BackupNaming.dataFile(id: id))
            try file.write(Data(repeating: 1, count: 10))
            try file.commit()
            let manifest = BackupManifest(id: id, created: BackupNaming.timestamp(BackupNaming.date(ofID: id)!), plaintextBytes: 1, plaintextSHA256: "",
                                          ciphertextBytes: 10, ciphertextSHA256: "", compressedBytes: 1, compressionLevel: 3,
                                          recipients: [], schemaVersion: 1, counts: [:], integrityCheck: "ok", toolVersion: "test", jobID: nil)
            try manifest.fileContents.write(to: URL(fileURLWithPath: directory + "/" + BackupNaming.manifestFile(id: id)))
            let copy = OffsiteCopy(target: "restic", repository: "rest:https://u:p@h/r", copied: "2026-12-01T01:02:00Z",
                                   snapshots: error == nil ? ["abc", "def"] : [], error: error)
            try copy.encoded().write(to: URL(fileURLWithPath: directory + "/" + BackupNaming.offsiteFile(id: id)))
        }
        let catalog = BackupCatalog(directory: directory)
        #expect(catalog.good.count == 2)
        #expect(catalog.good.first?.offsite?.succeeded == false)
        #expect(catalog.lastOffsiteCopy?.id == "kawal-20261201T010000Z")
        #expect(catalog.lastOffsiteCopy?.offsite?.repository == "rest:https://h/r")
    }
}
