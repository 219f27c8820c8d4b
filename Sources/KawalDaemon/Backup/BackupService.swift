import CLinux
import Crypto
import Foundation
import KawalBackup
import KawalContracts
import KawalCore
import KawalPluginKit
import KawalStore
import Logging
import ServiceLifecycle
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// kawald's side of backups: snapshots for the backup plugin, the catalogue of the backup folder,
/// retention, restores, and the health check that raises an alert when the last good backup is
/// older than `[backup] max_age`.
actor BackupService: Service {
    let settings: BackupSettings?
    let directory: String
    let stateDirectory: String
    let store: Store
    let scheduler: Scheduler
    let zone: TimeZone
    let logger: Logger
    private let startedAt = Date()
    private var lastSuccess: Date?
    private var goodCount = 0
    /// The newest backup copied off-site, and the newest backup's off-site error when its copy failed.
    private var offsiteLastSuccess: Date?
    private var offsiteError: String?
    /// Set once a restore replaced the database, so that the scheduler and timers reload their state.
    private var afterRestore: (@Sendable () async throws -> Void)?

    init(settings: BackupSettings?, stateDirectory: String, store: Store, scheduler: Scheduler, zone: TimeZone, logger: Logger) {
        self.settings = settings
        self.stateDirectory = stateDirectory
        directory = settings?.directory(stateDirectory: stateDirectory) ?? stateDirectory + "/backups"
        self.store = store
        self.scheduler = scheduler
        self.zone = zone
        self.logger = logger
        Self.removeLeftovers(snapshots: [stateDirectory + "/" + Self.snapshotFolder], memory: Self.memorySnapshotDirectory(stateDirectory: stateDirectory),
                             backups: directory, staging: stateDirectory + "/" + Self.stagingFolder, logger: logger)
        let catalog = BackupCatalog(directory: directory)
        lastSuccess = catalog.good.first?.created
        goodCount = catalog.good.count
        (offsiteLastSuccess, offsiteError) = Self.offsiteState(catalog)
    }

    private static func offsiteState(_ catalog: BackupCatalog) -> (Date?, String?) {
        let newest = catalog.good.first { $0.offsite != nil }
        return (catalog.lastOffsiteCopy?.created, newest?.offsite?.error)
    }

    /// Unencrypted copies of the database live in the state folder only, never in the backup folder
    /// (which may be a USB disk or a network share): snapshots in `STATE/snapshots` while the plugin
    /// compresses and encrypts them, decrypted backups in `STATE/restore` while they are checked.
    static let snapshotFolder = "snapshots"
    static let stagingFolder = "restore"
    var snapshotDirectory: String { stateDirectory + "/" + Self.snapshotFolder }
    var stagingDirectory: String { stateDirectory + "/" + Self.stagingFolder }

    /// kawald's folder for snapshots in memory, in /dev/shm, owned by kawald's user, mode 0700.
    /// Under systemd it is removed when kawald stops (RemoveIPC=yes).
    static func memorySnapshotDirectory(stateDirectory: String) -> String {
        KawalDefaults.memorySnapshotDirectory(stateDirectory: stateDirectory, uid: getuid())
    }

    /// Where a snapshot goes. In memory when the plugin is one kawald started (it sees the same
    /// /dev/shm) and the database fits twice over in both the free memory and /dev/shm: the
    /// unencrypted copy then never touches a disk, and the backup is faster. Else `STATE/snapshots`.
    func snapshotFolder(spawned: Bool) throws -> String {
        if spawned, let folder = Self.privateMemoryFolder(Self.memorySnapshotDirectory(stateDirectory: stateDirectory)), Self.fitsInMemory(databaseBytes: databaseBytes, folder: folder) {
            return folder
        }
        try Daemon.makeDirectory(snapshotDirectory, mode: 0o750)
        return snapshotDirectory
    }

    private var databaseBytes: Int64 {
        var info = stat()
        var total: Int64 = 0
        for suffix in ["", "-wal"] where stat(store.path + suffix, &info) == 0 { total += Int64(info.st_size) }
        return total
    }

    /// The memory folder, made if missing; nil unless it is a real folder of ours, 0700 (not a
    /// symlink or someone else's folder planted in the world-writable /dev/shm).
    static func privateMemoryFolder(_ folder: String) -> String? {
        var info = stat()
        guard stat("/dev/shm", &info) == 0 else { return nil }
        if mkdir(folder, 0o700) != 0 && errno != EEXIST { return nil }
        return isPrivateFolder(folder) ? folder : nil
    }

    /// A real folder (not a symlink) of kawald's user that nobody else may enter.
    static func isPrivateFolder(_ folder: String) -> Bool {
        var info = stat()
        return lstat(folder, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR && info.st_uid == getuid() && info.st_mode & 0o077 == 0
    }

    static func fitsInMemory(databaseBytes: Int64, folder: String) -> Bool {
        var fs = statvfs()
        guard statvfs(folder, &fs) == 0 else { return false }
        let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        let available = memoryAvailable() ?? 0
        return databaseBytes > 0 && free > 2 * databaseBytes && available > 2 * databaseBytes
    }

    /// MemAvailable from /proc/meminfo, in bytes; where that is hidden (the shipped unit's
    /// `ProcSubset=pid`), free and buffer memory from sysinfo(2), which leaves out the page cache
    /// and so errs on the side of the disk.
    static func memoryAvailable() -> Int64? {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                let fields = line.split(separator: " ")
                if fields.count >= 2, let kib = Int64(fields[1]) { return kib * 1024 }
            }
        }
        var info = sysinfo()
        guard sysinfo(&info) == 0 else { return nil }
        return (Int64(info.freeram) + Int64(info.bufferram)) * Int64(info.mem_unit)
    }

    /// A decrypted backup that has not been written to for this long belongs to a restore that was
    /// abandoned (kawalctl killed): the next restore removes it. A decrypt in progress writes all the time.
    static let abandonedStaging: TimeInterval = 600

    /// At start no backup or restore can be in flight (a restore's Restore call must reach the kawald
    /// that prepared it): the snapshots and decrypted backups a killed kawald left behind are removed,
    /// also snapshots of older versions, which kept them in the backup folder. Personal data does not
    /// linger in clear on disk.
    /// Only kawald's own names go: `.tmp-snapshot-…` and `restore-…` (and their `.tmp-` files), so
    /// that a backup folder configured at one of these places loses nothing. The memory folder is
    /// cleaned only when it is kawald's own (a symlink planted in /dev/shm is not followed).
    static func removeLeftovers(snapshots: [String], memory: String?, backups: String, staging: String, logger: Logger) {
        var removed = 0
        let snapshotPrefix = BackupNaming.temporaryPrefix + "snapshot-"
        func remove(in folder: String, where matches: (String) -> Bool) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where matches(name) && unlink(folder + "/" + name) == 0 {
                removed += 1
            }
        }
        for folder in snapshots + [backups] { remove(in: folder) { $0.hasPrefix(snapshotPrefix) } }
        if let memory, isPrivateFolder(memory) { remove(in: memory) { $0.hasPrefix(snapshotPrefix) } }
        remove(in: staging, where: isStagingName)
        if removed > 0 {
            logger.notice("removed unencrypted database copies left by an interrupted backup or restore", metadata: ["kawal.files": "\(removed)"])
        }
    }

    /// A decrypted backup's name in `STATE/restore`: `restore-…`, or its `.tmp-restore-…` while written.
    static func isStagingName(_ name: String) -> Bool {
        name.hasPrefix("restore-") || name.hasPrefix(BackupNaming.temporaryPrefix + "restore-")
    }

    @discardableResult
    static func removeAbandonedStaging(in folder: String, now: Date = Date()) -> Int {
        var removed = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where isStagingName(name) {
            let path = folder + "/" + name
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
            if now.timeIntervalSince(modified) > abandonedStaging, unlink(path) == 0 { removed += 1 }
        }
        return removed
    }

    func onRestore(_ body: @escaping @Sendable () async throws -> Void) { afterRestore = body }

    /// Where backup alerts (overdue, off-site copy failed) go besides the journal: the
    /// administrators' notifiers. `key` makes repeats of one alert one message.
    typealias AlertSink = @Sendable (_ kind: String, _ facts: [(String, String)], _ key: String) async -> Void
    private var alertAdmins: AlertSink?
    func onAlert(_ body: @escaping AlertSink) { alertAdmins = body }

    static func error(_ name: String, _ message: String, _ extra: [String: JSONValue] = [:]) -> VarlinkError {
        VarlinkError("io.kawal.Backup.\(name)", extra.merging(["message": .string(message)]) { a, _ in a })
    }

    private func configured() throws -> BackupSettings {
        guard let settings, settings.enabled else {
            throw Self.error("NotConfigured", "backups are not configured: add [backup] with recipients = [\"age1…\"] to kawald.toml and [plugins.backup] with exec = the kawal-backup program (docs/backups.md)")
        }
        return settings
    }

    // MARK: Health

    struct Health: Sendable {
        var configured: Bool
        var lastSuccess: Date?
        var age: Double?
        var maximumAge: Double
        var stale: Bool
        var good: Int
        var offsiteConfigured: Bool
        var offsiteLastSuccess: Date?
        var offsiteError: String?
    }

    func health(now: Date = Date()) -> Health {
        let maximumAge = settings?.maximumAge ?? 36 * 3600
        let age = lastSuccess.map { now.timeIntervalSince($0) }
        let configured = settings?.enabled ?? false
        // Without any backup yet, kawald gives the first one max_age from its start before calling it stale.
        let stale = configured && (age.map { $0 > maximumAge } ?? (now.timeIntervalSince(startedAt) > maximumAge))
        return Health(configured: configured, lastSuccess: lastSuccess, age: age, maximumAge: maximumAge, stale: stale, good: goodCount,
                      offsiteConfigured: settings?.restic != nil, offsiteLastSuccess: offsiteLastSuccess, offsiteError: offsiteError)
    }

    func run() async throws {
        guard let settings, settings.enabled else { return }
        while true {
            let health = self.health()
            let wait: Double
            if health.stale {
                await raiseStaleBackupAlert(health)
                wait = settings.maximumAge
            } else {
                wait = (lastSuccess ?? startedAt).addingTimeInterval(settings.maximumAge).timeIntervalSinceNow + 1
            }
            do {
                try await cancelWhenGracefulShutdown { try await EventLoopSleep.sleep(for: .seconds(max(1, wait))) }
            } catch {
                return
            }
        }
    }

    /// The one place where a stale backup is reported: a journal entry with its MESSAGE_ID (see the
    /// catalog). Administrator notifications through the notifier plugins hook in here.
    private func raiseStaleBackupAlert(_ health: Health) async {
        let since = health.lastSuccess.map { "the last good backup is \(Int(($0.distance(to: Date())) / 3600)) h old" } ?? "there is no good backup yet"
        // One alert per day at most: the key names the day.
        let day = Int64(Date().timeIntervalSince1970 / 86_400)
        await alertAdmins?("backup_overdue", [("last_good_backup", health.lastSuccess.map { "\(Int(($0.distance(to: Date())) / 3600)) h ago" } ?? "none"),
                                              ("max_age", "\(Int(health.maximumAge / 3600)) h")], "day\(day)")
        logger.critical("ALERT: backups are overdue: \(since) (max_age \(Int(health.maximumAge / 3600)) h); see 'kawalctl backup list' and the backup plugin's log",
                        metadata: KawalMessageID.backupOverdue.metadata(["kawal.backup_dir": "\(directory)"]))
    }

    // MARK: Catalogue

    func catalog() async -> BackupCatalog {
        let directory = self.directory
        // NIO's blocking pool is never shut down while kawald runs; should it be, read here.
        return (try? await BlockingWork.run { BackupCatalog(directory: directory) }) ?? BackupCatalog(directory: directory)
    }

    static func json(_ entry: BackupCatalog.Entry) -> JSONValue {
        // The IDL declares the manifest as JSON text: the manifest file's own.
        let manifest: JSONValue = entry.manifest.map { .string(String(decoding: $0.fileContents, as: UTF8.self)) } ?? .null
        return [
            "id": .string(entry.id), "path": .string(entry.dataPath), "manifest_path": .string(entry.manifestPath), "state": .string(entry.state),
            "created": .string(BackupNaming.timestamp(entry.created)), "manifest": manifest,
            "offsite": entry.offsite.map { offsite -> JSONValue in
                [
                    "target": .string(offsite.target), "repository": .string(offsite.repository), "copied": .string(offsite.copied),
                    "snapshots": .array(offsite.snapshots.map { .string($0) }), "error": offsite.error.map { .string($0) } ?? .null,
                ]
            } ?? .null,
        ]
    }

    func entry(_ id: String) async throws -> BackupCatalog.Entry {
        guard let entry = await catalog().entry(id) else {
            throw Self.error("NotFound", "no backup '\(id)' in \(directory); 'kawalctl backup list' shows the ids", ["id": .string(id)])
        }
        return entry
    }

    /// Recomputes the stored file's SHA-256 and compares it and its size with the manifest.
    func verify(_ id: String, progress: ProgressSink? = nil) async throws -> (BackupCatalog.Entry, String?) {
        let entry = try await entry(id)
        guard entry.isGood, let manifest = entry.manifest else { return (entry, entry.state) }
        let path = entry.dataPath
        let problem: String? = try await BlockingWork.run {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return "cannot open \(path): \(String(cString: strerror(errno)))" }
            defer { close(fd) }
            var hasher = SHA256()
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            var total: Int64 = 0
            var info = stat()
            let size = fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
            var reported: Int64 = 0
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    return "read error in \(path): \(String(cString: strerror(errno)))"
                }
                if count == 0 { break }
                total += Int64(count)
                if let progress, total - reported >= 16 << 20 || total == size {
                    reported = total
                    progress(total, size)
                }
                buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            }
            let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            if total != manifest.ciphertextBytes { return "the file is \(total) bytes, the manifest says \(manifest.ciphertextBytes)" }
            if digest != manifest.ciphertextSHA256 { return "the file's SHA-256 is \(digest), the manifest says \(manifest.ciphertextSHA256): it was altered or damaged" }
            return nil
        }
        if let problem { logger.error("backup verification failed: \(problem)", metadata: ["kawal.backup": "\(id)"]) }
        return (entry, problem)
    }

    /// Applies retention; with `dryRun`, only says what it would do.
    func prune(dryRun: Bool) async throws -> (decisions: [BackupRetention.Decision], removed: [String]) {
        let settings = try configured()
        let catalog = await catalog()
        let decisions = settings.retention.decide(catalog.entries, zone: zone)
        guard !dryRun else { return (decisions, []) }
        var removed: [String] = []
        for decision in decisions where !decision.keep {
            guard let entry = catalog.entry(decision.id) else { continue }
            // The manifest first: from then on the backup no longer counts as good.
            unlink(entry.manifestPath)
            unlink(entry.dataPath)
            unlink(entry.offsitePath)
            removed.append(decision.id)
            logger.notice("backup removed by retention", metadata: ["kawal.backup": "\(decision.id)", "kawal.reason": "\(decision.reasons.joined(separator: "; "))"])
        }
        for stale in catalog.staleTemporaryFiles(olderThan: BackupRetention.incompleteGrace) { unlink(stale) }
        if !removed.isEmpty { try? AtomicFile.syncDirectory(of: directory + "/x") }
        refresh(await self.catalog())
        return (decisions, removed)
    }

    private func refresh(_ catalog: BackupCatalog) {
        let good = catalog.good
        lastSuccess = good.first?.created
        goodCount = good.count
        (offsiteLastSuccess, offsiteError) = Self.offsiteState(catalog)
        if let lastSuccess { metrics?.backupSucceeded(at: lastSuccess) }
    }

    private var metrics: KawalMetrics?

    /// The last good backup's time goes to these metrics, now and after every change.
    func report(to metrics: KawalMetrics) {
        self.metrics = metrics
        if let lastSuccess { metrics.backupSucceeded(at: lastSuccess) }
    }

    // MARK: Taking a backup

    /// How far a backup or a verification has come, in bytes read of bytes in all.
    typealias ProgressSink = @Sendable (_ done: Int64, _ total: Int64) -> Void

    /// Enqueues a backup job and waits for the plugin to settle it, passing on its progress.
    func now(plugins: PluginHost, progress: ProgressSink? = nil) async throws -> BackupCatalog.Entry {
        _ = try configured()
        guard await plugins.list().contains(where: { $0.state == "running" && $0.capabilities.contains("backup") }) else {
            throw Self.error("NotConfigured", "no running plugin has capability 'backup': add [plugins.backup] with exec = the kawal-backup program, or see 'kawalctl plugin list'")
        }
        let events = await scheduler.subscribe()
        let (job, _) = try await scheduler.enqueue(kind: "backup", payload: WireJSON.text(BackupJobPayload.backupNow), dueAt: Date(),
                                                   idempotencyKey: "backup-now:\(UUID().uuidString)")
        for await event in events where event.jobID == job && (event.event == "job.settled" || event.event == "job.progress") {
            if event.event == "job.progress" {
                if let bytes = event.bytes { progress?(bytes.done, bytes.total) }
                continue
            }
            if event.state == "done" {
                if let entry = await catalog().entries.first(where: { $0.manifest?.jobID == job && $0.isGood }) { return entry }
                throw Self.error("Failed", "backup job \(job) finished but no good backup with that job id is in \(directory)")
            }
            let record = try? await store.job(id: job)
            let next = event.state == "pending" ? "kawald retries it later ('kawalctl job show \(job)')" : "it went to the dead letters"
            throw Self.error("Failed", "backup job \(job) failed: \(record?.lastError ?? "no reason given"); \(next)")
        }
        throw Self.error("Failed", "kawald is stopping; backup job \(job) stays queued")
    }

    /// Serves the backup plugin's snapshot connection: Snapshot, then Finished; the snapshot file is
    /// removed when the connection ends, whatever happened to the plugin.
    func serveSnapshot(channel: PluginChannel, first: VarlinkCall, authorized: Bool, spawned: Bool) async {
        var snapshotPath: String?
        defer { if let snapshotPath { unlink(snapshotPath) } }
        func reply(_ reply: VarlinkReply) async throws {
            try await channel.perform { try $0.sendMessage(reply.message) }
        }
        do {
            guard first.method == "io.kawal.Backup.Snapshot" else {
                try await reply(VarlinkReply(error: Self.error("Failed", "a backup connection starts with io.kawal.Backup.Snapshot, not \(first.method)")))
                return
            }
            guard authorized else {
                try await reply(VarlinkReply(error: VarlinkError("io.kawal.PermissionDenied", [
                    "message": .string("io.kawal.Backup.Snapshot is for a running plugin registered with capability 'backup'; this process is not one"),
                    "role": "none", "required_group": .null,
                ])))
                return
            }
            let settings: BackupSettings
            do { settings = try configured() } catch let error as VarlinkError {
                try await reply(VarlinkReply(error: error))
                return
            }
            try Daemon.makeDirectory(directory, mode: 0o750)
            var created = Date()
            var id = BackupNaming.id(for: created)
            let existing = Set(await catalog().entries.map(\.id))
            while existing.contains(id) {
                created = created.addingTimeInterval(1)
                id = BackupNaming.id(for: created)
            }
            let path = try snapshotFolder(spawned: spawned) + "/" + BackupNaming.temporaryPrefix + "snapshot-" + id + ".db"
            snapshotPath = path
            do {
                try await store.writeSnapshot(to: path)
            } catch {
                logger.error("backup failed: the snapshot failed: \(error)", metadata: KawalMessageID.backupFailed.metadata)
                try await reply(VarlinkReply(error: Self.error("Failed", "the snapshot (VACUUM INTO \(path)) failed: \(error)")))
                return
            }
            // The check runs while the plugin compresses: it is off the critical path, and the
            // plugin writes the manifest (which makes the backup count) only after it passed.
            let check = Task { try await BlockingWork.run { try DatabaseInspection(file: path, knownMigrations: Store.migrations) } }
            defer { check.cancel() }
            logger.info("backup snapshot taken", metadata: ["kawal.backup": "\(id)"])
            try await reply(VarlinkReply(parameters: [
                "snapshot_path": .string(path), "id": .string(id), "created": .string(BackupNaming.timestamp(created)), "dir": .string(directory),
                "recipients": .array(settings.recipients.map { .string($0) }), "compression_level": .int(Int64(settings.compressionLevel)),
                "compression_threads": .int(Int64(settings.compressionThreads)),
                "restic": settings.restic.map { restic -> JSONValue in
                    ["repository": .string(restic.repository), "password_file": restic.passwordFile.map { .string($0) } ?? .null, "command": .string(restic.command)]
                } ?? .null,
            ]))
            var checkedOK = false
            while true {
                let call = try VarlinkCall(message: try await channel.perform { try $0.receiveMessage() })
                guard call.parameters["id"]?.stringValue == id,
                      ["io.kawal.Backup.Checked", "io.kawal.Backup.Finished", "io.kawal.Backup.Offsite", "io.kawal.Backup.Progress"].contains(call.method) else {
                    try await reply(VarlinkReply(error: Self.error("Failed", "expected io.kawal.Backup.Progress, Checked, Finished or Offsite with id \(id)")))
                    continue
                }
                if call.method == "io.kawal.Backup.Progress" {
                    if let jobID = first.parameters["job_id"]?.intValue, let done = call.parameters["done_bytes"]?.intValue,
                       let total = call.parameters["total_bytes"]?.intValue {
                        await scheduler.publish(SchedulerEvent(event: "job.progress", jobID: jobID, plugin: nil, state: nil, detail: nil, bytes: (done, total)))
                    }
                    try await reply(VarlinkReply(parameters: [:]))
                    continue
                }
                if call.method == "io.kawal.Backup.Offsite" {
                    await offsiteCopied(id: id, ok: call.parameters["ok"]?.boolValue == true, error: call.parameters["error"]?.stringValue)
                    try await reply(VarlinkReply(parameters: [:]))
                    continue
                }
                if call.method == "io.kawal.Backup.Checked" {
                    let inspection: DatabaseInspection
                    do {
                        inspection = try await check.value
                    } catch {
                        try await reply(VarlinkReply(error: Self.error("Failed", "the snapshot cannot be checked: \(error)")))
                        continue
                    }
                    guard inspection.integrity == "ok" else {
                        logger.error("backup failed: the snapshot fails integrity_check",
                                     metadata: KawalMessageID.backupFailed.metadata(["kawal.detail": "\(inspection.integrity.prefix(300))"]))
                        try await reply(VarlinkReply(error: Self.error("Failed", "the snapshot fails PRAGMA integrity_check: \(inspection.integrity.prefix(300))")))
                        continue
                    }
                    checkedOK = true
                    try await reply(VarlinkReply(parameters: [
                        "schema_version": .int(Int64(inspection.schemaVersion)), "counts": .object(inspection.counts.mapValues { .int($0) }),
                        "integrity_check": .string(inspection.integrity),
                    ]))
                    continue
                }
                guard checkedOK else {
                    try await reply(VarlinkReply(error: Self.error("Failed", "backup \(id) cannot be finished before its snapshot passed io.kawal.Backup.Checked")))
                    continue
                }
                unlink(path)
                snapshotPath = nil
                guard let entry = await catalog().entry(id), entry.isGood else {
                    try await reply(VarlinkReply(error: Self.error("Failed", "backup \(id) is not listed as good in \(directory)")))
                    continue
                }
                refresh(await catalog())
                logger.notice("backup written", metadata: KawalMessageID.backupDone.metadata(
                    ["kawal.backup": "\(id)", "kawal.size": "\(entry.manifest?.ciphertextBytes ?? 0)"]))
                let removed = (try? await prune(dryRun: false).removed) ?? []
                try await reply(VarlinkReply(parameters: ["removed": .array(removed.map { .string($0) })]))
            }
        } catch {
            logger.debug("backup connection ended: \(error)")
        }
    }

    /// The plugin copied backup `id` off-site, or failed to: the catalogue learns it from the
    /// record the plugin wrote; a failure is logged and alerted once per backup.
    private func offsiteCopied(id: String, ok: Bool, error: String?) async {
        refresh(await catalog())
        if ok {
            logger.notice("backup copied off-site", metadata: ["kawal.backup": "\(id)", "kawal.target": "restic"])
            return
        }
        // restic's message may name the repository's host, a user or a path with a number in it: the
        // journal and the alert get it scrubbed like a plugin's own errors.
        let reason = Redaction.scrub(error ?? "unknown error", minimumDigits: 9)
        logger.error("ALERT: the off-site copy of a backup failed: \(reason.prefix(300)); the local backup is good",
                     metadata: ["kawal.backup": "\(id)", "kawal.target": "restic"])
        await alertAdmins?("backup_offsite_failed", [("backup", id), ("target", "restic"), ("error", String(reason.prefix(300)))], id)
    }

    // MARK: Restore

    func prepareRestore(_ id: String?) async throws -> (String, BackupCatalog.Entry?) {
        var entry: BackupCatalog.Entry?
        if let id {
            let found = try await self.entry(id)
            guard found.isGood else {
                throw Self.error("Failed", "backup \(found.id) cannot be restored by id: \(found.state); restore the file itself with 'kawalctl backup restore --file PATH' if you trust it")
            }
            entry = found
        }
        try Daemon.makeDirectory(stagingDirectory, mode: 0o700)
        Self.removeAbandonedStaging(in: stagingDirectory)
        let staging = stagingDirectory + "/restore-\(BackupNaming.id(for: Date()).dropFirst(BackupNaming.prefix.count))-\(UInt32.random(in: 0...UInt32.max)).db"
        return (staging, entry)
    }

    func restore(stagingPath: String, id: String?, actor: Actor) async throws -> (previous: String, before: [String: Int64], beforeSchema: Int, after: DatabaseInspection) {
        let name = String(stagingPath.dropFirst(stagingDirectory.count + 1))
        guard stagingPath.hasPrefix(stagingDirectory + "/"), name.hasPrefix("restore-"), !name.contains("/") else {
            throw Self.error("RestoreRefused", "staging_path must be a path PrepareRestore gave (in \(stagingDirectory)), not \(stagingPath)")
        }
        guard FileManager.default.fileExists(atPath: stagingPath) else {
            throw Self.error("RestoreRefused", "\(stagingPath) does not exist: decrypt the backup there first")
        }
        let beforeSchema = try await store.summary().schemaVersion
        let stamp = PreRestoreCopies.name(database: store.path, at: Date())
        var previous = stamp
        var suffix = 1
        while FileManager.default.fileExists(atPath: previous) {
            suffix += 1
            previous = stamp + "-\(suffix)"
        }
        let result: (before: [String: Int64], after: DatabaseInspection)
        do {
            result = try await store.replaceDatabase(with: stagingPath, previousPath: previous, actor: actor, detail: "restored from \(id ?? name)")
        } catch let refused as RestoreRefused {
            unlink(stagingPath)
            logger.error("restore refused: \(refused.reason)")
            throw Self.error("RestoreRefused", refused.reason)
        }
        logger.notice("database restored", metadata: KawalMessageID.databaseRestored.metadata([
            "kawal.backup": "\(id ?? name)", "kawal.previous": "\(previous)",
            "kawal.schema_before": "\(beforeSchema)", "kawal.schema_after": "\(result.after.schemaVersion)",
        ]))
        try await afterRestore?()
        return (previous, result.before, beforeSchema, result.after)
    }
}
