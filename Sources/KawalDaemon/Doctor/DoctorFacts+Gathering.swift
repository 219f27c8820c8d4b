import Foundation
import KawalAge
import KawalCalendar
import KawalCore
import KawalStore
#if canImport(Glibc)
import Glibc
#endif

extension DoctorFacts {
    /// Collects what `Doctor` judges: from the running configuration, the store, the scheduler, the
    /// plugin host and the file system. Reads only; the file system (and the user database, which
    /// may be remote) is read on NIO's blocking-work pool: Swift's tasks run on the event loops here.
    static func gather(state: DaemonState, store: Store, scheduler: Scheduler, plugins: PluginHost, backup: BackupService) async throws -> DoctorFacts {
        let configuration = state.configuration
        let configPath: String
        if case .file(let path) = state.source { configPath = path } else { configPath = state.launch.configPath }
        let uid = geteuid()
        let sockets = state.sockets
        let control = sockets.first { $0.name == "control" }
        let pluginSocket = sockets.first { $0.name == "plugins" }
        let settings = backup.settings
        let backupDirectory = backup.directory
        let databasePath = store.path
        let keyPlaces = [configuration.stateDirectory, "/etc/kawal", backupDirectory].reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let hasBackup = settings != nil

        var facts = try await BlockingWork.run {
            var facts = DoctorFacts(now: Date(), startedAt: state.startedAt, configPath: configPath, stateDirectory: fileFacts(configuration.stateDirectory),
                                    handlerGroup: configuration.handlerGroup, pluginGroup: configuration.pluginGroup,
                                    configuredZone: configuration.timeZone,
                                    configuredZoneLoads: configuration.zone.loaded)
            facts.daemonUID = uid
            facts.daemonUser = UserDatabase.userName(of: uid) ?? "uid \(uid)"
            facts.database = [databasePath, databasePath + "-wal", databasePath + "-shm"].map(fileFacts)
            facts.databaseBytes = facts.database.prefix(2).reduce(0) { $0 + size(of: $1.path) }
            facts.controlSocket = control.map { fileFacts($0.path) }
            facts.controlSocketActivated = control?.activated ?? false
            facts.pluginsSocket = pluginSocket.map { fileFacts($0.path) }
            facts.pluginsSocketActivated = pluginSocket?.activated ?? false
            facts.systemZone = systemZone()
            facts.stateFilesystem = filesystem(configuration.stateDirectory)
            facts.backupFilesystem = filesystem(access(backupDirectory, F_OK) == 0 ? backupDirectory : configuration.stateDirectory)
            facts.keyPlaces = keyPlaces
            if hasBackup {
                facts.secretKeys = keyPlaces.flatMap { secretKeys(under: $0, depth: 3) }
            }
            return facts
        }

        facts.plugins = await plugins.list().map {
            Plugin(name: $0.name, origin: $0.origin, state: $0.state, capabilities: $0.capabilities, lastError: $0.lastError, lastErrorAt: $0.lastErrorAt)
        }
        facts.attachedCapabilities = await scheduler.attachedCapabilities()
        facts.handlers = try await store.activeHandlerRecipients().map {
            Handler(code: $0.handler.code, channels: $0.settings.channels.map(\.channel),
                    hasEmail: !($0.handler.email ?? "").isEmpty, hasPhone: !($0.handler.phone ?? "").isEmpty)
        }
        (facts.remindersSkipped, facts.remindersFailed) = try await store.reminderProblems(since: store.time.now().addingTimeInterval(-Doctor.recentWindow))
        let reminders = configuration.reminders
        facts.alertHandlers = reminders.alertHandlers
        facts.activeAlertHandlers = reminders.alertHandlers.filter { code in facts.handlers.contains { $0.code == code } }
        facts.alertEmails = reminders.alertEmails
        facts.alertPhones = reminders.alertPhones
        if let settings {
            let health = await backup.health()
            facts.backup = Backup(enabled: settings.enabled, recipients: settings.recipients, directory: backupDirectory, maximumAge: settings.maximumAge,
                                  lastSuccess: health.lastSuccess, lastVerified: try await store.lastBackupVerification())
        }
        facts.pendingJobs = try await store.pendingJobsByKind().map { PendingJobs(kind: $0.kind, count: $0.count, oldestDue: $0.oldestDue) }
        return facts
    }

    static func fileFacts(_ path: String) -> FileFacts {
        var info = stat()
        guard lstat(path, &info) == 0 else { return FileFacts(path: path, exists: false) }
        return FileFacts(path: path, exists: true, isDirectory: info.st_mode & S_IFMT == S_IFDIR, mode: info.st_mode & 0o7777, ownerUID: info.st_uid,
                         owner: UserDatabase.userName(of: info.st_uid), group: UserDatabase.groupName(of: info.st_gid))
    }

    static func size(of path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    static func filesystem(_ path: String) -> Filesystem? {
        var fs = statvfs()
        var info = stat()
        guard statvfs(path, &fs) == 0, stat(path, &info) == 0 else { return nil }
        return Filesystem(path: path, availableBytes: Int64(fs.f_bavail) * Int64(fs.f_frsize), device: UInt64(info.st_dev))
    }

    /// `$TZ`, else the zone /etc/localtime links to, else /etc/timezone.
    static func systemZone() -> String? {
        if let tz = ProcessInfo.processInfo.environment["TZ"], !tz.isEmpty {
            return tz.hasPrefix(":") ? String(tz.dropFirst()) : tz
        }
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/etc/localtime"), let range = target.range(of: "zoneinfo/") {
            return String(target[range.upperBound...])
        }
        return (try? String(contentsOfFile: "/etc/timezone", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Key files are small: larger files (the database, backups) are not read.
    static let largestKeyFile = 64 * 1024

    /// The age secret keys in the small regular files under `folder` (symbolic links not followed).
    static func secretKeys(under folder: String, depth: Int) -> [SecretKey] {
        guard depth >= 0, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var found: [SecretKey] = []
        for name in names.sorted() {
            let path = folder + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                found += secretKeys(under: path, depth: depth - 1)
            case S_IFREG where info.st_size <= largestKeyFile:
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                found += secretKeys(in: String(decoding: data, as: UTF8.self)).map { SecretKey(path: path, recipient: $0) }
            default:
                continue
            }
        }
        return found
    }

    /// The recipients (`age1…`) of the `AGE-SECRET-KEY-1…` identities written in `text`.
    static func secretKeys(in text: String) -> [String] {
        let marker = "AGE-SECRET-KEY-1"
        var recipients: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: marker) {
            let tail = rest[range.upperBound...].prefix { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
            if let identity = try? AgeIdentity(parsing: marker + tail) { recipients.append(identity.recipient.description) }
            rest = rest[range.upperBound...]
        }
        return recipients
    }
}
