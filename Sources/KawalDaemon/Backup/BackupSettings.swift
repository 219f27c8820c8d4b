import Foundation
import KawalBackup
import KawalCalendar
import TOMLKit

/// `[backup]`: where backups go, to whom they are encrypted, when they run and how long they are kept.
///
/// ```toml
/// [backup]
/// recipients = ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"]
/// schedule = "daily 01:00 Asia/Makassar"
/// keep_daily = 7
/// ```
public struct BackupSettings: Sendable, Equatable {
    /// age X25519 public keys (`age1…`); kawald and the plugin never hold the matching secret keys.
    public var recipients: [String] = []
    /// Defaults to STATE/backups.
    public var directory: String?
    public var schedule = "daily 01:00 Asia/Makassar"
    public var retention = BackupRetention()
    /// Older than this, the last good backup raises an administrator alert.
    public var maximumAge: Double = 36 * 3600
    public var compressionLevel = 3
    /// zstd worker threads; 0 compresses on the plugin's own thread.
    public var compressionThreads = 2
    public var enabled = true
    /// A second, off-site target: each backup file (already age-encrypted) and its manifest go into
    /// this restic repository with `restic backup --stdin`. Nil: no off-site copy.
    public var restic: ResticTarget?

    /// `restic_repository`, `restic_password_file`, `restic_command` in `[backup]`.
    public struct ResticTarget: Sendable, Equatable {
        /// Anything restic takes for `-r`: a path, `sftp:…`, `rest:…`, `s3:…`. Credentials of the
        /// storage (AWS_…, B2_…) go in `[plugins.backup] env` or the plugin unit's credentials.
        public var repository: String
        /// The repository password; without it, the plugin reads the credential `restic-password`
        /// from `$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=`).
        public var passwordFile: String?
        public var command = "restic"
    }

    public init() {}

    public func directory(stateDirectory: String) -> String { directory ?? stateDirectory + "/backups" }

    /// `schedule` as a systemd calendar expression. systemd's `daily` takes no time after it, so the
    /// readable `daily 01:00 [ZONE]` is accepted here and means `*-*-* 01:00 [ZONE]`.
    public var calendarExpression: String { Self.calendarExpression(schedule) }

    static func calendarExpression(_ schedule: String) -> String {
        let words = schedule.split(separator: " ", omittingEmptySubsequences: true)
        if words.count >= 2, words[0].lowercased() == "daily", words[1].first?.isNumber == true, words[1].contains(":") {
            return (["*-*-*"] + words.dropFirst().map(String.init)).joined(separator: " ")
        }
        return schedule
    }

    static let keys = ["recipients", "dir", "schedule", "keep_last", "keep_daily", "keep_weekly", "keep_monthly", "max_age", "compression_level",
                       "compression_threads", "enabled", "restic_repository", "restic_password_file", "restic_command"]

    /// A lower-case `age1…` Bech32 string of the right length (the plugin checks the checksum when it encrypts).
    static func looksLikeRecipient(_ text: String) -> Bool {
        let alphabet = Set("qpzry9x8gf2tvdw0s3jn54khce6mua7l")
        return text.hasPrefix("age1") && text.count == 62 && text.dropFirst(4).allSatisfy { alphabet.contains($0) }
    }

    static func parse(_ root: TOMLTable, reader: TableReader, zone: ZoneInfo) throws(ConfigurationError) -> BackupSettings? {
        guard let table = try reader.table(root, "backup", known: keys) else { return nil }
        var settings = BackupSettings()
        guard let recipients = try reader.strings(table, "backup", "recipients"), !recipients.isEmpty else {
            throw reader.error("backup", "recipients", "backups need at least one age recipient: recipients = [\"age1…\"] (make a key pair with age-keygen; keep the secret key off this server)")
        }
        for recipient in recipients where !looksLikeRecipient(recipient) {
            throw reader.error("backup", "recipients", "'\(recipient.prefix(70))' is not an age X25519 recipient: expected 'age1' and 58 more lower-case characters, as age-keygen prints after 'public key:'")
        }
        settings.recipients = recipients
        settings.directory = try reader.path(table, "backup", "dir")
        if let schedule = try reader.string(table, "backup", "schedule") {
            do {
                _ = try CalendarSpec(parsing: calendarExpression(schedule), localZone: zone)
            } catch {
                throw reader.error("backup", "schedule", "\(error)")
            }
            settings.schedule = schedule
        }
        for (key, path) in [("keep_last", \BackupRetention.keepLast), ("keep_daily", \.keepDaily), ("keep_weekly", \.keepWeekly), ("keep_monthly", \.keepMonthly)] {
            if let value = try reader.int(table, "backup", key) {
                guard (0...10_000).contains(value) else { throw reader.error("backup", key, "\(value) is out of range: expected 0 to 10000") }
                settings.retention[keyPath: path] = value
            }
        }
        if let value = try reader.duration(table, "backup", "max_age") { settings.maximumAge = value }
        if let value = try reader.int(table, "backup", "compression_level") {
            guard (1...19).contains(value) else { throw reader.error("backup", "compression_level", "\(value) is out of range: expected a zstd level from 1 to 19 (3 is zstd's default)") }
            settings.compressionLevel = value
        }
        if let value = try reader.int(table, "backup", "compression_threads") {
            guard (0...64).contains(value) else { throw reader.error("backup", "compression_threads", "\(value) is out of range: expected 0 (no worker threads) to 64") }
            settings.compressionThreads = value
        }
        if let enabled = table["enabled"] {
            guard let value = enabled.bool else { throw reader.error("backup", "enabled", "expected true or false") }
            settings.enabled = value
        }
        let passwordFile = try reader.path(table, "backup", "restic_password_file")
        let command = try reader.string(table, "backup", "restic_command")
        if let repository = try reader.string(table, "backup", "restic_repository") {
            guard !repository.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw reader.error("backup", "restic_repository", "is empty: expected a restic repository such as \"/mnt/usb/kawal\" or \"sftp:backup@nas:/srv/kawal\", or leave the key out")
            }
            var target = ResticTarget(repository: repository, passwordFile: passwordFile)
            if let command { target.command = command }
            settings.restic = target
        } else if passwordFile != nil || command != nil {
            throw reader.error("backup", passwordFile != nil ? "restic_password_file" : "restic_command",
                               "is set but restic_repository is not: name the repository the off-site copies go to")
        }
        return settings
    }
}
