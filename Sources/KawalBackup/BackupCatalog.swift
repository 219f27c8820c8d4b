import Foundation
import KawalContracts

/// The backups in a folder, read from their manifests. A data file without a readable manifest, or
/// whose size differs from its manifest's, is listed as not good: a backup that was interrupted.
public struct BackupCatalog: Sendable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var dataPath: String
        public var manifestPath: String
        public var manifest: BackupManifest?
        public var offsitePath: String
        /// The off-site copy's record; nil when none was attempted.
        public var offsite: OffsiteCopy?
        /// "ok", or why the backup cannot be trusted.
        public var state: String
        public var created: Date

        public var isGood: Bool { state == "ok" }
    }

    public let directory: String
    public private(set) var entries: [Entry] = []

    /// Reads `directory` (a missing folder has no backups).
    public init(directory: String) {
        self.directory = directory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let ids = Set(names.compactMap(BackupNaming.id(fromFileName:)))
        for id in ids {
            let dataPath = directory + "/" + BackupNaming.dataFile(id: id)
            let manifestPath = directory + "/" + BackupNaming.manifestFile(id: id)
            var manifest: BackupManifest?
            var state = "ok"
            if let data = FileManager.default.contents(atPath: manifestPath) {
                manifest = try? WireJSON.decode(BackupManifest.self, from: data)
                if manifest == nil { state = "manifest unreadable" }
            } else {
                state = "manifest missing (interrupted backup)"
            }
            if let manifest {
                let size = (try? FileManager.default.attributesOfItem(atPath: dataPath)[.size] as? NSNumber)?.int64Value
                if size == nil {
                    state = "data file missing"
                } else if size != manifest.ciphertextBytes {
                    state = "data file is \(size!) bytes, the manifest says \(manifest.ciphertextBytes)"
                } else if manifest.id != id {
                    state = "manifest names another backup (\(manifest.id))"
                }
            }
            let created = manifest?.createdDate ?? BackupNaming.date(ofID: id) ?? .distantPast
            let offsitePath = directory + "/" + BackupNaming.offsiteFile(id: id)
            let offsite = FileManager.default.contents(atPath: offsitePath).flatMap { try? OffsiteCopy.decode($0) }
            entries.append(Entry(id: id, dataPath: dataPath, manifestPath: manifestPath, manifest: manifest, offsitePath: offsitePath, offsite: offsite,
                                 state: state, created: created))
        }
        entries.sort { ($0.created, $0.id) > ($1.created, $1.id) }
    }

    /// Newest first.
    public var good: [Entry] { entries.filter(\.isGood) }

    /// The newest good backup whose off-site copy worked.
    public var lastOffsiteCopy: Entry? { good.first { $0.offsite?.succeeded == true } }

    public func entry(_ id: String) -> Entry? { entries.first { $0.id == id || $0.dataPath.hasSuffix("/" + id) } }

    /// Temporary files older than `age` seconds: left by a backup that was killed.
    public func staleTemporaryFiles(olderThan age: TimeInterval, now: Date = Date()) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix(BackupNaming.temporaryPrefix) }.map { directory + "/" + $0 }.filter { path in
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
            return now.timeIntervalSince(modified) > age
        }
    }
}
