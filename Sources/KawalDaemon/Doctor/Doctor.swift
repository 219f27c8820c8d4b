import Foundation
import KawalCore
import Varlink

/// One line of `kawalctl doctor`: what was checked, how it came out, and what to do about it.
struct DoctorCheck: Sendable, Equatable {
    enum Status: String, Sendable, Comparable {
        case ok, warn, fail

        static func < (a: Status, b: Status) -> Bool { a.rank < b.rank }
        private var rank: Int { self == .ok ? 0 : self == .warn ? 1 : 2 }
    }

    var id: String
    var status: Status
    var message: String
    var hint: String?

    static func ok(_ id: String, _ message: String) -> DoctorCheck { DoctorCheck(id: id, status: .ok, message: message) }

    var json: JSONValue {
        ["id": .string(id), "status": .string(status.rawValue), "message": .string(message), "hint": hint.map { .string($0) } ?? .null]
    }
}

/// The decisions of `kawalctl doctor`, from collected facts: pure, so every check is tested with
/// plain values (no daemon, no files, no clock).
///
/// ```swift
/// let checks = Doctor(facts).checks()   // [DoctorCheck], in the order they are printed
/// ```
struct Doctor: Sendable {
    let facts: DoctorFacts

    init(_ facts: DoctorFacts) { self.facts = facts }

    /// Reminders and failures looked back on.
    static let recentWindow: Double = 7 * 86_400
    /// A plugin error younger than this is reported even when the plugin runs again.
    static let recentPluginError: Double = 86_400

    func checks() -> [DoctorCheck] {
        capabilities() + [handlerChannels(), recentReminders(), alerts()] + backups() + files()
            + [timeZone(), diskSpace()] + waitingJobs() + plugins()
    }

    // MARK: Channels and plugins

    static let channelNames = ["email": "e-mail", "sms": "SMS", "webhook": "the chat gateway (webhook)"]
    static let pluginExamples = ["notify.email": "email", "notify.sms": "sms", "notify.webhook": "webhook", "backup": "backup"]
    /// What restarts a plugin: kawald for the ones it starts, systemd for a unit of its own.
    static func restartHint(_ plugin: DoctorFacts.Plugin) -> String {
        plugin.origin == "external"
            ? "journalctl -u 'kawal-plugin@*' says why; once fixed, systemctl restart kawal-plugin@\(plugin.name)"
            : "kawalctl plugin status \(plugin.name); once fixed, kawalctl plugin restart \(plugin.name)"
    }

    static let pluginPrograms = ["notify.email": "notify-email", "notify.sms": "notify-sms", "notify.webhook": "notify-webhook", "backup": "kawal-backup"]

    /// The capabilities something needs: the channel each active handler is reached on first (the
    /// composer sends there and nowhere else), the [alerts] addresses, and backups when configured.
    var capabilitiesInUse: [(capability: String, users: [String])] {
        var users: [String: [String]] = [:]
        for handler in facts.handlers {
            if let channel = handler.usableChannels.first { users["notify." + channel, default: []].append("handler \(handler.code)") }
        }
        if !facts.alertEmails.isEmpty { users["notify.email", default: []].append("[alerts] email") }
        if !facts.alertPhones.isEmpty { users["notify.sms", default: []].append("[alerts] phone") }
        if let backup = facts.backup, backup.enabled { users["backup", default: []].append("[backup]") }
        return users.keys.sorted().map { ($0, users[$0]!) }
    }

    func capabilities() -> [DoctorCheck] {
        capabilitiesInUse.map { capability, users in
            let id = "capability." + capability
            let who = Self.list(users, limit: 3)
            let offering = facts.plugins.filter { $0.capabilities.contains(capability) }
            if facts.attachedCapabilities.contains(capability) {
                let names = offering.filter { $0.state == "running" }.map(\.name)
                return .ok(id, "\(capability) is served by \(names.isEmpty ? "a running plugin" : "plugin " + names.joined(separator: ", ")) (used by \(who))")
            }
            // Plugins that are not running: those known to offer it, or named for it, first.
            let likely = { (plugin: DoctorFacts.Plugin) in plugin.capabilities.contains(capability) || plugin.name == Self.pluginExamples[capability] }
            let idle = facts.plugins.filter { $0.state != "running" && ($0.capabilities.contains(capability) || $0.capabilities.isEmpty) }
                .sorted { likely($0) && !likely($1) }
            let what = capability == "backup" ? "backups are configured" : "\(who) \(users.count == 1 ? "is" : "are") reached by \(Self.channelNames[String(capability.dropFirst(7))] ?? capability)"
            if !idle.isEmpty {
                let names = idle.map { "\($0.name) (\($0.state))" }.joined(separator: ", ")
                return DoctorCheck(id: id, status: .fail, message: "\(what), but no running plugin offers \(capability); not running: \(names)",
                                   hint: Self.restartHint(idle[0]))
            }
            let name = Self.pluginExamples[capability] ?? "NAME"
            let program = Self.pluginPrograms[capability] ?? "PLUGIN"
            let message = "\(what), but no plugin offers \(capability): \(capability == "backup" ? "backup jobs" : "those messages") wait in the job queue"
            // Under systemd a notifier runs as its own unit (kawald's sandbox has no network); the
            // backup plugin, and any plugin without systemd, is started by kawald.
            if capability != "backup" && facts.pluginsSocketActivated {
                return DoctorCheck(id: id, status: .fail, message: message,
                                   hint: "put its arguments in /etc/kawal/plugins/\(program).conf, then systemctl enable --now kawal-plugin@\(program) (docs/notifiers.md)")
            }
            return DoctorCheck(id: id, status: .fail, message: message,
                               hint: "add [plugins.\(name)] exec = \"/usr/lib/kawal/plugins/\(program)\" to \(facts.configPath) and restart kawald (docs/\(capability == "backup" ? "backups" : "notifiers").md)")
        }
    }

    func handlerChannels() -> DoctorCheck {
        let id = "handlers.channels"
        guard !facts.handlers.isEmpty else { return .ok(id, "no active handlers yet") }
        let unreachable = facts.handlers.filter { $0.usableChannels.isEmpty }
        guard let first = unreachable.first else {
            return .ok(id, "all \(facts.handlers.count) active handlers have a channel with consent and an address")
        }
        let withoutAddress = unreachable.filter { !$0.channels.isEmpty }
        var message = "\(unreachable.count) active \(unreachable.count == 1 ? "handler has" : "handlers have") no channel to be reminded on: \(Self.list(unreachable.map(\.code), limit: 5))"
        if !withoutAddress.isEmpty {
            message += " (\(Self.list(withoutAddress.map(\.code), limit: 3)) agreed to a channel but have no address for it)"
        }
        message += "; their reminders are skipped"
        let channel = first.hasPhone ? "sms" : first.hasEmail ? "email" : "sms"
        let hint = (first.hasPhone || first.hasEmail)
            ? "kawalctl handler notify \(first.code) --channel \(channel) --consent written"
            : "kawalctl handler update \(first.code) --phone 08…, then kawalctl handler notify \(first.code) --channel sms --consent written"
        return DoctorCheck(id: id, status: .warn, message: message, hint: hint)
    }

    func recentReminders() -> DoctorCheck {
        let id = "reminders.recent"
        let (skipped, failed) = (facts.remindersSkipped, facts.remindersFailed)
        guard skipped > 0 || failed > 0 else { return .ok(id, "no reminder was skipped or failed in the last 7 days") }
        var parts: [String] = []
        var hints: [String] = []
        if failed > 0 {
            parts.append("\(failed) failed")
            hints.append("kawalctl reminder list --state failed")
        }
        if skipped > 0 {
            parts.append("\(skipped) skipped (no channel with consent and an address)")
            hints.append("kawalctl reminder list --state skipped")
        }
        return DoctorCheck(id: id, status: .warn, message: "in the last 7 days, reminders \(parts.joined(separator: " and "))", hint: hints.joined(separator: "; "))
    }

    func alerts() -> DoctorCheck {
        let id = "alerts"
        let hint = "under [alerts] in \(facts.configPath), set email = [\"admin@…\"] or handlers = [\"CODE\"], then restart kawald"
        let inactive = facts.alertHandlers.filter { !facts.activeAlertHandlers.contains($0) }
        let reachable = facts.activeAlertHandlers.filter { code in facts.handlers.contains { $0.code == code && !$0.usableChannels.isEmpty } }
        let total = reachable.count + facts.alertEmails.count + facts.alertPhones.count
        if facts.alertHandlers.isEmpty && facts.alertEmails.isEmpty && facts.alertPhones.isEmpty {
            return DoctorCheck(id: id, status: .warn,
                               message: "[alerts] names nobody: failed plugins, dead jobs, overdue backups and escalations without a supervisor reach only the journal",
                               hint: hint)
        }
        if total == 0 {
            return DoctorCheck(id: id, status: .warn, message: "nobody in [alerts] can be reached: \(Self.list(facts.alertHandlers, limit: 5)) \(inactive.isEmpty ? "have no channel with consent" : "are not active handlers or have no channel")",
                               hint: inactive.isEmpty ? "kawalctl handler notify \(facts.alertHandlers[0]) --channel email --consent written" : hint)
        }
        if !inactive.isEmpty {
            return DoctorCheck(id: id, status: .warn, message: "[alerts] handlers \(Self.list(inactive, limit: 5)) are not active handlers; \(total) other recipients are reached",
                               hint: "remove them from [alerts] handlers in \(facts.configPath), or 'kawalctl handler list' to check the codes")
        }
        return .ok(id, "alerts go to \(total) \(total == 1 ? "recipient" : "recipients")")
    }

    // MARK: Backups

    func backups() -> [DoctorCheck] {
        guard let backup = facts.backup else {
            return [DoctorCheck(id: "backup.configured", status: .fail, message: "backups are not configured: the case records exist only in this server's kawal.db",
                                hint: "add [backup] recipients = [\"age1…\"] and [plugins.backup] to \(facts.configPath) (docs/backups.md)")]
        }
        guard backup.enabled else {
            return [DoctorCheck(id: "backup.configured", status: .warn, message: "[backup] enabled = false: no backups are taken",
                                hint: "set enabled = true under [backup] in \(facts.configPath) and restart kawald")]
        }
        var checks = [DoctorCheck.ok("backup.configured", "backups go to \(backup.directory), encrypted to \(backup.recipients.count) \(backup.recipients.count == 1 ? "recipient" : "recipients")")]
        let maxAge = Self.duration(backup.maximumAge)
        if let last = backup.lastSuccess {
            let age = facts.now.timeIntervalSince(last)
            checks.append(age > backup.maximumAge
                ? DoctorCheck(id: "backup.age", status: .fail, message: "the last good backup is \(Self.duration(age)) old, older than max_age \(maxAge)",
                              hint: "kawalctl backup now; if it fails, kawalctl plugin status backup")
                : .ok("backup.age", "the last good backup is \(Self.duration(age)) old (max_age \(maxAge))"))
        } else {
            let running = facts.now.timeIntervalSince(facts.startedAt)
            checks.append(DoctorCheck(id: "backup.age", status: running > backup.maximumAge ? .fail : .warn,
                                      message: "there is no good backup yet (kawald has run \(Self.duration(running)); max_age \(maxAge))",
                                      hint: "kawalctl backup now"))
        }
        if let verified = backup.lastVerified {
            checks.append(.ok("backup.verified", "a backup was last verified \(Self.duration(facts.now.timeIntervalSince(verified))) ago"))
        } else if backup.lastSuccess != nil {
            checks.append(DoctorCheck(id: "backup.verified", status: .warn, message: "no backup was ever verified: nobody has checked that one can be read back",
                                      hint: "kawalctl backup list, then kawalctl backup verify ID --identity KEYFILE (bring the key on removable media and take it away again)"))
        }
        checks.append(secretKeys(backup))
        return checks
    }

    func secretKeys(_ backup: DoctorFacts.Backup) -> DoctorCheck {
        let id = "backup.keys"
        let places = facts.keyPlaces.joined(separator: ", ")
        let opening = facts.secretKeys.filter { backup.recipients.contains($0.recipient) }
        if let first = opening.first {
            let paths = Array(Set(opening.map(\.path))).sorted()
            return DoctorCheck(id: id, status: .fail,
                               message: "the secret key of backup recipient \(Self.short(first.recipient)) is on this server (\(paths.joined(separator: ", "))): whoever takes the server can open every backup",
                               hint: "copy it to offline storage (paper, a USB key in a safe), then shred -u \(paths.joined(separator: " "))")
        }
        if !facts.secretKeys.isEmpty {
            let paths = Array(Set(facts.secretKeys.map(\.path))).sorted()
            return DoctorCheck(id: id, status: .warn, message: "age secret keys in \(paths.joined(separator: ", ")) open none of the configured recipients (an old backup key?)",
                               hint: "if it opened backups that still exist, keep it offline; then shred -u \(paths.joined(separator: " "))")
        }
        return .ok(id, "no backup secret key found on this server (looked in \(places))")
    }

    // MARK: Files

    func waitingJobs() -> [DoctorCheck] {
        let stuck = facts.pendingJobs.filter { !facts.attachedCapabilities.contains($0.kind) }
        guard !stuck.isEmpty else {
            let waiting = facts.pendingJobs.reduce(0) { $0 + $1.count }
            return [.ok("jobs", waiting == 0 ? "no job is waiting" : "every waiting job (\(waiting)) has a running plugin or kawald to take it")]
        }
        return stuck.map { jobs in
            let due = facts.now.timeIntervalSince(jobs.oldestDue)
            return DoctorCheck(id: "jobs." + jobs.kind, status: .warn,
                               message: "\(jobs.count) \(jobs.kind) \(jobs.count == 1 ? "job waits" : "jobs wait")\(due > 0 ? " (oldest due \(Self.duration(due)) ago)" : ""), and no running plugin offers \(jobs.kind)",
                               hint: "kawalctl job list --state pending --kind \(jobs.kind); kawalctl plugin list")
        }
    }

    func plugins() -> [DoctorCheck] {
        guard !facts.plugins.isEmpty else {
            return [DoctorCheck(id: "plugins", status: .warn, message: "no plugins are configured: no reminder, alert or backup leaves kawald",
                                hint: facts.pluginsSocketActivated
                                    ? "systemctl enable --now kawal-plugin@notify-email (and the other notifiers; docs/notifiers.md), and [plugins.backup] in \(facts.configPath) (docs/backups.md)"
                                    : "add [plugins.NAME] sections to \(facts.configPath) (docs/plugins.md)")]
        }
        return facts.plugins.map { plugin in
            let id = "plugin." + plugin.name
            let error = plugin.lastError.map { ": \($0.prefix(200))" } ?? ""
            switch plugin.state {
            case "failed":
                return DoctorCheck(id: id, status: .fail, message: "\(plugin.name) failed and is not restarted\(error)",
                                   hint: Self.restartHint(plugin))
            case "backing_off":
                return DoctorCheck(id: id, status: .warn, message: "\(plugin.name) is backing off before a restart\(error)",
                                   hint: "kawalctl plugin status \(plugin.name)")
            case "stopped" where plugin.lastError != nil && plugin.lastError != "stopped":
                return DoctorCheck(id: id, status: .warn, message: "\(plugin.name) stopped\(error)",
                                   hint: "kawalctl plugin status \(plugin.name)")
            case "running":
                if let at = plugin.lastErrorAt, facts.now.timeIntervalSince(at) < Self.recentPluginError {
                    return DoctorCheck(id: id, status: .warn, message: "\(plugin.name) runs, but failed \(Self.duration(facts.now.timeIntervalSince(at))) ago\(error)",
                                       hint: "kawalctl plugin status \(plugin.name)")
                }
                return .ok(id, "\(plugin.name) runs (\(plugin.capabilities.joined(separator: ", ")))")
            default:
                return .ok(id, "\(plugin.name) is \(plugin.state.replacingOccurrences(of: "_", with: " "))")
            }
        }
    }

    // MARK: Wording

    static func list(_ items: [String], limit: Int) -> String {
        items.count <= limit ? items.joined(separator: ", ") : items.prefix(limit).joined(separator: ", ") + " and \(items.count - limit) more"
    }

    static func short(_ recipient: String) -> String {
        recipient.count > 20 ? "\(recipient.prefix(10))…\(recipient.suffix(6))" : recipient
    }

    static func octal(_ mode: UInt32) -> String {
        "0" + String(mode & 0o7777, radix: 8)
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(max(0, seconds))
        if total >= 2 * 86_400 { return "\(total / 86_400) d" }
        if total >= 3600 { return "\(total / 3600) h" }
        if total >= 60 { return "\(total / 60) min" }
        return "\(total) s"
    }

}
