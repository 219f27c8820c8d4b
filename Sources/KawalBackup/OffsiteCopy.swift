import Foundation

/// The off-site copy of one backup: written by the backup plugin beside the backup as
/// `kawal-….offsite.json` once the copy was attempted, whether it worked or not.
///
/// ```json
/// {"target": "restic", "repository": "sftp:backup@nas:/srv/kawal", "copied": "2026-12-01T01:02:11Z",
///  "snapshots": ["3f1a…"], "error": null}
/// ```
public struct OffsiteCopy: Codable, Sendable, Equatable {
    /// Where the copy went: "restic".
    public var target: String
    /// The repository, with any user and password removed.
    public var repository: String
    /// When the attempt ended (UTC, ISO 8601).
    public var copied: String
    /// The target's ids of what it stored: restic snapshot ids of the data file and the manifest.
    public var snapshots: [String]
    /// Why the copy failed; nil when it worked.
    public var error: String?

    public var succeeded: Bool { error == nil }

    public init(target: String, repository: String, copied: String, snapshots: [String], error: String?) {
        self.target = target
        self.repository = OffsiteCopy.redacted(repository)
        self.copied = copied
        self.snapshots = snapshots
        self.error = error
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> OffsiteCopy { try JSONDecoder().decode(OffsiteCopy.self, from: data) }

    /// A repository location without credentials: `rest:https://user:secret@host/x` → `rest:https://host/x`.
    public static func redacted(_ repository: String) -> String {
        guard let schemeEnd = repository.range(of: "://"), let at = repository[schemeEnd.upperBound...].firstIndex(of: "@") else {
            return repository
        }
        let slash = repository[schemeEnd.upperBound...].firstIndex(of: "/") ?? repository.endIndex
        guard at < slash else { return repository }
        return String(repository[..<schemeEnd.upperBound]) + String(repository[repository.index(after: at)...])
    }
}
