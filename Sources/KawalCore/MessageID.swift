import Logging

/// journald `MESSAGE_ID=`s of kawald's key events, with their explanations in
/// `packaging/catalog/kawal.catalog` (installed to /usr/lib/systemd/catalog/; `journalctl -x` shows them).
/// The ids are stable: alerts and saved `journalctl MESSAGE_ID=…` queries depend on them, so an id is
/// never reused for another event. Log one with its metadata key:
///
/// ```swift
/// logger.error("backup failed: \(reason)", metadata: KawalMessageID.backupFailed.metadata)
/// ```
public struct KawalMessageID: Sendable, Hashable {
    /// 32 lower-case hex digits, as `journalctl --new-id128` prints them.
    public let id: String

    /// The log metadata that SystemdKit turns into the journal field `MESSAGE_ID=`.
    public var metadata: [String: Logger.MetadataValue] { [Self.metadataKey: .string(id)] }

    /// The event's metadata with `fields` of its own: `KawalMessageID.backupDone.metadata(["kawal.backup": "\(id)"])`.
    public func metadata(_ fields: [String: Logger.MetadataValue]) -> [String: Logger.MetadataValue] {
        metadata.merging(fields) { id, _ in id }
    }

    /// The metadata key SystemdKit writes as `MESSAGE_ID=`; only a `KawalMessageID` sets it.
    static let metadataKey = "message_id"

    /// A backup was written, checked and stored.
    public static let backupDone = KawalMessageID(id: "57e32fd88e5f4e9099221326293d8d4c")
    /// A backup could not be written or did not pass its check.
    public static let backupFailed = KawalMessageID(id: "0cccb685b4d947d6af520a2ed9baa5c5")
    /// A plugin failed too often and kawald stopped restarting it.
    public static let pluginFailed = KawalMessageID(id: "49313ee50fff43c0835f1c932552f882")
    /// A reminder stayed overdue and was escalated to the handler's supervisor (or the admins).
    public static let reminderEscalated = KawalMessageID(id: "1a2c42f4e2264172b8bf37e258fb2abf")
    /// The audit log's hash chain does not verify: an event was changed or removed outside kawald.
    public static let auditChainBroken = KawalMessageID(id: "e8f9679d4cbe4d49a7a573bd9923b5ac")
    /// No good backup is younger than `[backup] max_age`.
    public static let backupOverdue = KawalMessageID(id: "5b1d4c3e8a9f4e0c9d6b2a7f1e3c8d40")
    /// The database was replaced by a restored backup; the previous one is kept.
    public static let databaseRestored = KawalMessageID(id: "8e2f6a1c4b7d4f3a9c0e5b2d7a1f6c93")

    public static let all: [KawalMessageID] = [backupDone, backupFailed, pluginFailed, reminderEscalated, auditChainBroken,
                                               backupOverdue, databaseRestored]
}
