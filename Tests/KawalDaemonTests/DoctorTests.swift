import Foundation
import KawalAge
import Testing
@testable import KawalDaemon

@Suite struct DoctorTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"

    /// A sound installation: every check is ok.
    static func healthy() -> DoctorFacts {
        var facts = DoctorFacts(now: now, startedAt: now.addingTimeInterval(-86_400), configPath: "/etc/kawal/kawald.toml",
                                stateDirectory: .init(path: "/var/lib/kawal", exists: true, isDirectory: true, mode: 0o700, ownerUID: 990, owner: "kawal", group: "kawal"),
                                handlerGroup: "kawal", pluginGroup: "kawal-plugin", configuredZone: "Asia/Makassar", configuredZoneLoads: true)
        facts.daemonUID = 990
        facts.daemonUser = "kawal"
        facts.plugins = [.init(name: "email", origin: "configured", state: "running", capabilities: ["notify.email"]),
                         .init(name: "backup", origin: "configured", state: "running", capabilities: ["backup"])]
        facts.attachedCapabilities = ["notify.email", "backup", "reminder.fire", "report.monthly", "retention.purge"]
        facts.handlers = [.init(code: "ani", channels: ["email"], hasEmail: true, hasPhone: false)]
        facts.alertHandlers = ["ani"]
        facts.activeAlertHandlers = ["ani"]
        facts.backup = .init(enabled: true, recipients: [recipient], directory: "/var/lib/kawal/backups", maximumAge: 36 * 3600,
                             lastSuccess: now.addingTimeInterval(-3600), lastVerified: now.addingTimeInterval(-86_400))
        facts.keyPlaces = ["/var/lib/kawal", "/etc/kawal"]
        facts.database = [.init(path: "/var/lib/kawal/kawal.db", exists: true, mode: 0o600, ownerUID: 990, owner: "kawal", group: "kawal"),
                          .init(path: "/var/lib/kawal/kawal.db-wal", exists: true, mode: 0o600, ownerUID: 990, owner: "kawal", group: "kawal")]
        facts.controlSocket = .init(path: "/run/kawal/control.sock", exists: true, mode: 0o660, ownerUID: 0, owner: "root", group: "kawal")
        facts.controlSocketActivated = true
        facts.pluginsSocket = .init(path: "/run/kawal/plugins.sock", exists: true, mode: 0o660, ownerUID: 0, owner: "root", group: "kawal-plugin")
        facts.pluginsSocketActivated = true
        facts.systemZone = "Asia/Makassar"
        facts.databaseBytes = 100 << 20
        facts.stateFilesystem = .init(path: "/var/lib/kawal", availableBytes: 50 << 30, device: 1)
        facts.backupFilesystem = .init(path: "/var/lib/kawal/backups", availableBytes: 50 << 30, device: 1)
        return facts
    }

    static func check(_ id: String, _ facts: DoctorFacts) -> DoctorCheck? {
        Doctor(facts).checks().first { $0.id == id }
    }

    @Test func aSoundInstallationIsAllOk() {
        let checks = Doctor(Self.healthy()).checks()
        #expect(checks.filter { $0.status != .ok } == [])
        #expect(Set(checks.map(\.id)).isSuperset(of: ["capability.notify.email", "capability.backup", "handlers.channels", "reminders.recent", "alerts",
                                                     "backup.configured", "backup.age", "backup.verified", "backup.keys", "files.state_dir",
                                                     "files.database", "files.control_socket", "files.plugins_socket", "time_zone", "disk", "jobs",
                                                     "plugin.email", "plugin.backup"]))
    }

    @Test func aChannelInUseWithoutAPluginFailsAndSaysWhatToAdd() throws {
        var facts = Self.healthy()
        facts.handlers.append(.init(code: "budi", channels: ["sms", "email"], hasEmail: true, hasPhone: true))
        let check = try #require(Self.check("capability.notify.sms", facts))
        #expect(check.status == .fail)
        #expect(check.message.contains("handler budi"))
        // Under systemd (the sockets are systemd's) a notifier is a unit of its own; otherwise kawald starts it.
        facts.pluginsSocketActivated = true
        #expect(Self.check("capability.notify.sms", facts)?.hint == "put its arguments in /etc/kawal/plugins/notify-sms.conf, then systemctl enable --now kawal-plugin@notify-sms (docs/notifiers.md)")
        facts.pluginsSocketActivated = false
        #expect(Self.check("capability.notify.sms", facts)?.hint?.contains("[plugins.sms] exec = \"/usr/lib/kawal/plugins/notify-sms\"") == true)
        // Only the first usable channel is used: a consent to e-mail behind SMS needs no e-mail plugin of its own.
        #expect(Self.check("capability.notify.email", facts)?.status == .ok)
    }

    @Test func aChannelWhosePluginIsNotRunningPointsAtThatPlugin() throws {
        var facts = Self.healthy()
        facts.plugins[0].state = "failed"
        facts.plugins[0].lastError = "handshake failed: connection ended"
        facts.attachedCapabilities.remove("notify.email")
        let check = try #require(Self.check("capability.notify.email", facts))
        #expect(check.status == .fail)
        #expect(check.message.contains("email (failed)"))
        #expect(check.hint == "kawalctl plugin status email; once fixed, kawalctl plugin restart email")
        // A plugin unit of its own is restarted by systemd, not by kawald.
        facts.plugins[0].origin = "external"
        #expect(Self.check("capability.notify.email", facts)?.hint == "journalctl -u 'kawal-plugin@*' says why; once fixed, systemctl restart kawal-plugin@email")
        #expect(Self.check("plugin.email", facts)?.status == .fail)
        #expect(Self.check("plugin.email", facts)?.message.contains("handshake failed") == true)
    }

    @Test func alertAddressesNeedTheirPluginsToo() {
        var facts = Self.healthy()
        facts.alertPhones = ["+6281234567890"]
        #expect(Self.check("capability.notify.sms", facts)?.status == .fail)
        #expect(Self.check("capability.notify.sms", facts)?.message.contains("[alerts] phone") == true)
    }

    @Test func handlersWithoutAUsableChannelWarn() throws {
        var facts = Self.healthy()
        facts.handlers += [.init(code: "citra", channels: [], hasEmail: false, hasPhone: true),
                           .init(code: "dewi", channels: ["email"], hasEmail: false, hasPhone: true)]
        let check = try #require(Self.check("handlers.channels", facts))
        #expect(check.status == .warn)
        #expect(check.message.contains("2 active handlers") && check.message.contains("citra, dewi"))
        #expect(check.message.contains("dewi agreed to a channel but have no address"))
        #expect(check.hint == "kawalctl handler notify citra --channel sms --consent written")
    }

    @Test func recentSkippedAndFailedRemindersWarnWithTheCommandsToLook() throws {
        var facts = Self.healthy()
        facts.remindersFailed = 2
        facts.remindersSkipped = 3
        let check = try #require(Self.check("reminders.recent", facts))
        #expect(check.status == .warn)
        #expect(check.message == "in the last 7 days, reminders 2 failed and 3 skipped (no channel with consent and an address)")
        #expect(check.hint == "kawalctl reminder list --state failed; kawalctl reminder list --state skipped")
    }

    @Test func emptyOrUnreachableAlertsWarn() {
        var facts = Self.healthy()
        facts.alertHandlers = []
        facts.activeAlertHandlers = []
        #expect(Self.check("alerts", facts)?.status == .warn)
        #expect(Self.check("alerts", facts)?.hint?.contains("[alerts]") == true)
        facts.alertHandlers = ["gone"]
        #expect(Self.check("alerts", facts)?.status == .warn)
        facts.alertEmails = ["kantor@example.org"]
        #expect(Self.check("alerts", facts)?.status == .warn, "a named handler that is not active still warns")
        facts.alertHandlers = []
        #expect(Self.check("alerts", facts)?.status == .ok)
    }

    @Test func backupsMissingOverdueOrNeverVerified() {
        var facts = Self.healthy()
        facts.backup = nil
        #expect(Self.check("backup.configured", facts)?.status == .fail)
        #expect(Self.check("backup.age", facts) == nil)

        facts = Self.healthy()
        facts.backup?.lastSuccess = Self.now.addingTimeInterval(-3 * 86_400)
        #expect(Self.check("backup.age", facts)?.status == .fail)
        #expect(Self.check("backup.age", facts)?.message == "the last good backup is 3 d old, older than max_age 36 h")

        facts = Self.healthy()
        facts.backup?.lastSuccess = nil
        #expect(Self.check("backup.age", facts)?.status == .warn, "a kawald started a day ago still has time for its first backup")
        facts.startedAt = Self.now.addingTimeInterval(-2 * 86_400)
        #expect(Self.check("backup.age", facts)?.status == .fail)

        facts = Self.healthy()
        facts.backup?.lastVerified = nil
        #expect(Self.check("backup.verified", facts)?.status == .warn)
        #expect(Self.check("backup.verified", facts)?.hint?.contains("kawalctl backup verify ID --identity KEYFILE") == true)
    }

    @Test func aRecipientsSecretKeyOnTheServerFails() throws {
        let identity = AgeIdentity.generate()
        var facts = Self.healthy()
        facts.backup?.recipients.append(identity.recipient.description)
        facts.secretKeys = DoctorFacts.secretKeys(in: "# created: 2026-01-01\n# public key: …\n\(identity.secretKeyText)\n")
            .map { .init(path: "/etc/kawal/backup-key.txt", recipient: $0) }
        let check = try #require(Self.check("backup.keys", facts))
        #expect(check.status == .fail)
        #expect(check.message.contains("/etc/kawal/backup-key.txt"))
        #expect(check.hint?.contains("shred -u /etc/kawal/backup-key.txt") == true)

        facts.backup?.recipients = [Self.recipient]
        #expect(Self.check("backup.keys", facts)?.status == .warn, "a key that opens no configured recipient")
    }

    @Test func secretKeysAreFoundInsideOtherText() {
        let identity = AgeIdentity.generate()
        #expect(DoctorFacts.secretKeys(in: "key=\(identity.secretKeyText);") == [identity.recipient.description])
        #expect(DoctorFacts.secretKeys(in: "AGE-SECRET-KEY-1NOTAKEY") == [])
    }

    @Test func permissionsOfStateFolderDatabaseAndSockets() {
        var facts = Self.healthy()
        facts.stateDirectory.mode = 0o755
        facts.database[0].mode = 0o644
        #expect(Self.check("files.state_dir", facts)?.status == .fail)
        #expect(Self.check("files.state_dir", facts)?.hint == "chmod 0700 /var/lib/kawal")
        #expect(Self.check("files.database", facts)?.status == .fail)
        #expect(Self.check("files.database", facts)?.hint == "chmod 0600 /var/lib/kawal/kawal.db")

        facts.stateDirectory.mode = 0o700
        #expect(Self.check("files.database", facts)?.status == .warn, "behind a closed state folder")

        facts = Self.healthy()
        facts.stateDirectory.ownerUID = 0
        facts.stateDirectory.owner = "root"
        #expect(Self.check("files.state_dir", facts)?.status == .fail)
        #expect(Self.check("files.state_dir", facts)?.hint == "chown -R kawal: /var/lib/kawal")

        facts = Self.healthy()
        facts.controlSocket?.mode = 0o666
        #expect(Self.check("files.control_socket", facts)?.status == .warn)
        facts.controlSocketActivated = false
        #expect(Self.check("files.control_socket", facts)?.status == .ok, "kawald binds it 0666 itself and checks every caller")

        facts = Self.healthy()
        facts.pluginsSocket?.group = "root"
        #expect(Self.check("files.plugins_socket", facts)?.status == .warn)
        #expect(Self.check("files.plugins_socket", facts)?.hint == "SocketGroup=kawal-plugin in kawald-plugins.socket (systemctl edit kawald-plugins.socket)")
    }

    @Test func timeZoneIsReportedAndFailsOnlyWhenItCannotBeLoaded() {
        var facts = Self.healthy()
        facts.systemZone = "Etc/UTC"
        #expect(Self.check("time_zone", facts)?.status == .ok)
        #expect(Self.check("time_zone", facts)?.message.contains("the system's zone is Etc/UTC") == true)
        facts.configuredZoneLoads = false
        #expect(Self.check("time_zone", facts)?.status == .fail)
    }

    @Test func diskSpaceMustHoldASnapshotAndTheBackup() {
        var facts = Self.healthy()
        facts.stateFilesystem?.availableBytes = 150 << 20
        #expect(Self.check("disk", facts)?.status == .fail, "snapshot and backup on one disk need twice the database")
        facts.backupFilesystem = .init(path: "/mnt/usb", availableBytes: 50 << 30, device: 2)
        #expect(Self.check("disk", facts)?.status == .warn, "the backup goes elsewhere; the snapshot fits, barely")
        facts.stateFilesystem?.availableBytes = 50 << 30
        #expect(Self.check("disk", facts)?.status == .ok)
    }

    @Test func jobsThatNoPluginTakesWarn() throws {
        var facts = Self.healthy()
        facts.pendingJobs = [.init(kind: "notify.email", count: 4, oldestDue: Self.now),
                             .init(kind: "notify.webhook", count: 2, oldestDue: Self.now.addingTimeInterval(-7200))]
        let checks = Doctor(facts).checks().filter { $0.id.hasPrefix("jobs") }
        #expect(checks.map(\.id) == ["jobs.notify.webhook"])
        #expect(checks[0].status == .warn)
        #expect(checks[0].message == "2 notify.webhook jobs wait (oldest due 2 h ago), and no running plugin offers notify.webhook")
        #expect(checks[0].hint == "kawalctl job list --state pending --kind notify.webhook; kawalctl plugin list")
    }

    @Test func aRunningPluginWithARecentErrorWarns() {
        var facts = Self.healthy()
        facts.plugins[0].lastError = "the plugin exited with status 1"
        facts.plugins[0].lastErrorAt = Self.now.addingTimeInterval(-600)
        #expect(Self.check("plugin.email", facts)?.status == .warn)
        facts.plugins[0].lastErrorAt = Self.now.addingTimeInterval(-2 * 86_400)
        #expect(Self.check("plugin.email", facts)?.status == .ok)
    }
}
