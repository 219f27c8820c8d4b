/// The payload of a `backup` job, for the backup plugin. It carries no parameters (the plugin asks
/// kawald for them with `io.kawal.Backup.Snapshot`), only who asked, for `kawalctl job show`.
///
/// ```json
/// {"requested_by":"kawalctl backup now"}
/// ```
public struct BackupJobPayload: Codable, Sendable, Equatable {
    /// Absent when a timer ([timers.NAME] with kind = "backup") enqueued the job with its own payload.
    public var requestedBy: String?

    enum CodingKeys: String, CodingKey {
        case requestedBy = "requested_by"
    }

    public init(requestedBy: String?) {
        self.requestedBy = requestedBy
    }

    /// `kawalctl backup now` (io.kawal.Backup.Now).
    public static let backupNow = BackupJobPayload(requestedBy: "kawalctl backup now")
}
