import Testing
@testable import KawalDaemon

@Suite struct BackupSettingsTests {
    static let recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"

    @Test func backupSectionBecomesSettingsAndATimer() throws {
        let config = try Configuration.parse("""
            [backup]
            recipients = ["\(Self.recipient)"]
            dir = "/srv/backups"
            keep_daily = 14
            max_age = "2d"
            compression_level = 9
            """, file: "k.toml")
        let backup = try #require(config.backup)
        #expect(backup.recipients == [Self.recipient])
        #expect(backup.directory(stateDirectory: "/var/lib/kawal") == "/srv/backups")
        #expect(backup.retention.keepDaily == 14 && backup.retention.keepLast == 3)
        #expect(backup.maximumAge == 2 * 86_400)
        #expect(backup.compressionLevel == 9)
        let timer = try #require(config.timers.first { $0.name == "backup" })
        #expect(timer.kind == "backup")
        #expect(timer.onCalendar == "*-*-* 01:00 Asia/Makassar", "the default 'daily 01:00 Asia/Makassar' in systemd's syntax")
    }

    @Test func resticIsTheOptionalOffsiteTarget() throws {
        let config = try Configuration.parse("""
            [backup]
            recipients = ["\(Self.recipient)"]
            restic_repository = "sftp:kawal@nas:/srv/restic"
            restic_password_file = "/etc/kawal/restic-password"
            """, file: "k.toml")
        let restic = try #require(config.backup?.restic)
        #expect(restic.repository == "sftp:kawal@nas:/srv/restic")
        #expect(restic.passwordFile == "/etc/kawal/restic-password")
        #expect(restic.command == "restic")
        #expect(try Configuration.parse("[backup]\nrecipients = [\"\(Self.recipient)\"]\n", file: "k.toml").backup?.restic == nil)
    }

    @Test func withoutABackupSectionThereIsNoBackupTimer() throws {
        let config = try Configuration.parse("", file: "k.toml")
        #expect(config.backup == nil)
        #expect(config.timers.isEmpty)
    }

    @Test(arguments: [
        ("[backup]\n", "k.toml:1: backup.recipients: backups need at least one age recipient"),
        ("[backup]\nrecipients = [\"ssh-ed25519 AAAA\"]\n", "k.toml:2: backup.recipients: 'ssh-ed25519 AAAA' is not an age X25519 recipient"),
        ("[backup]\nrecipients = [\"\(recipient)\"]\nschedule = \"nightly\"\n", "k.toml:3: backup.schedule:"),
        ("[backup]\nrecipients = [\"\(recipient)\"]\ncompression_level = 30\n", "k.toml:3: backup.compression_level: 30 is out of range: expected a zstd level from 1 to 19"),
        ("[backup]\nrecipients = [\"\(recipient)\"]\nkeep_hourly = 3\n", "k.toml:3: backup.keep_hourly: unknown key"),
        ("[backup]\nrecipients = [\"\(recipient)\"]\nrestic_password_file = \"/etc/kawal/pw\"\n",
         "k.toml:3: backup.restic_password_file: is set but restic_repository is not"),
        ("[backup]\nrecipients = [\"\(recipient)\"]\nrestic_repository = \" \"\n", "k.toml:3: backup.restic_repository: is empty"),
    ])
    func reportsProblems(text: String, message: String) {
        #expect {
            try Configuration.parse(text, file: "k.toml")
        } throws: { error in
            String(describing: error).hasPrefix(message)
        }
    }
}
