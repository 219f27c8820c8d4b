import ArgumentParser
import KawalContracts
import ProcessSpawn
import Varlink
#if canImport(Glibc)
import Glibc
#endif

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Take, list, check, prune and restore encrypted backups of the case database.",
        discussion: """
            Backups are zstd-compressed and age-encrypted to the public keys in [backup] recipients; kawald never holds a \
            secret key. 'verify --identity' and 'restore' read an age identity file (age-keygen's format) for one run and \
            decrypt here, with the kawal-backup program ($KAWAL_BACKUP_TOOL, else beside kawalctl, else \
            /usr/lib/kawal/plugins/kawal-backup). See docs/backups.md.
            """,
        subcommands: [BackupNow.self, BackupList.self, BackupVerify.self, BackupPrune.self, BackupRestore.self]
    )
}

extension Table {
    static func backups(_ items: [JSONValue]) -> Table {
        var table = Table(["ID", "CREATED", "STATE", "SIZE", "DATABASE", "SCHEMA", "CASES", "OFF-SITE"])
        for backup in items {
            let manifest = backupManifest(backup)
            table.append([text(backup["id"]), text(backup["created"]), text(backup["state"]),
                          manifest.map { formatBytes($0.ciphertextBytes) } ?? "-", manifest.map { formatBytes($0.plaintextBytes) } ?? "-",
                          manifest.map { String($0.schemaVersion) } ?? "-", manifest?.counts["caseFile"].map { String($0) } ?? "-",
                          offsiteSummary(backup["offsite"])])
        }
        return table
    }
}

/// "restic 3f1a2b4c", "FAILED", or "-" when no copy was attempted.
func offsiteSummary(_ offsite: JSONValue?) -> String {
    guard let offsite, offsite.objectValue != nil else { return "-" }
    if offsite["error"]?.stringValue != nil { return "FAILED" }
    return "\(text(offsite["target"])) \(offsite["snapshots"]?.arrayValue?.first?.stringValue?.prefix(8) ?? "")"
}

/// The manifest kawald sends inside a Backup, as the manifest file's text (the IDL declares a string).
func backupManifest(_ backup: JSONValue) -> BackupManifest? {
    guard let text = backup["manifest"]?.stringValue else { return nil }
    return try? WireJSON.decode(BackupManifest.self, from: text)
}

/// Shows what is happening on stderr when it is a terminal.
func showActivity(_ message: String) {
    if isatty(STDERR_FILENO) == 1 { writeStandardError(message) }
}

/// Calls a Backup method that reports `progress` while it works (Now, Verify). In a terminal, with
/// `more` and a progress bar on stderr; otherwise a plain call. Returns the last reply.
func callWithProgress(_ client: ControlClient, _ method: String, _ parameters: [String: JSONValue] = [:], label: String,
                      waiting: String) throws(CommandFailure) -> [String: JSONValue] {
    guard isatty(STDERR_FILENO) == 1 else { return try client.call(method, parameters) }
    var bar = ProgressLine(label: label)
    bar.show(waiting)
    var last: [String: JSONValue] = [:]
    try client.callMore(method, parameters) { reply in
        if let progress = reply["progress"], progress != .null {
            let done = Int(progress["done_bytes"]?.intValue ?? 0), total = Int(progress["total_bytes"]?.intValue ?? 0)
            bar.update(bytes: done, of: total, force: done >= total)
        } else {
            last = reply
        }
    }
    bar.finish()
    return last
}

/// The kawal-backup program, which decrypts with the identity file so that kawalctl stays small.
func backupToolPath() -> String {
    if let configured = getenv("KAWAL_BACKUP_TOOL"), configured.pointee != 0 { return String(cString: configured) }
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if count > 0 {
        let executable = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let sibling = executable.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/") + "/kawal-backup"
        if access(sibling, X_OK) == 0 { return sibling }
    }
    return access("/usr/lib/kawal/plugins/kawal-backup", X_OK) == 0 ? "/usr/lib/kawal/plugins/kawal-backup" : "kawal-backup"
}

/// Runs kawal-backup with `arguments`; its stderr (progress, errors) goes to ours, its stdout (one JSON line) is returned.
func runBackupTool(_ arguments: [String]) throws(CommandFailure) -> JSONValue {
    let tool = backupToolPath()
    var pipeFDs: [CInt] = [-1, -1]
    guard pipe(&pipeFDs) == 0 else { throw CommandFailure(code: .daemonError, message: "pipe: \(String(cString: strerror(errno)))") }
    // The read end is close-on-exec, so the tool does not hold its own pipe open.
    _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
    let pid: pid_t
    do {
        pid = try Spawn(tool, arguments, descriptors: [1: .descriptor(pipeFDs[1])], searchPath: true).start()
    } catch {
        close(pipeFDs[0])
        close(pipeFDs[1])
        throw CommandFailure(code: .daemonError, message: "cannot run \(tool): \(String(cString: strerror(error.code))); install kawal-backup or point KAWAL_BACKUP_TOOL at it")
    }
    close(pipeFDs[1])
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(pipeFDs[0], &chunk, chunk.count)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        output += chunk[0..<count]
    }
    close(pipeFDs[0])
    switch ExitStatus.wait(for: pid) {
    case .exited(0):
        break
    case .exited(let code):
        throw CommandFailure(code: .daemonError, message: "the backup did not pass: \(tool) exited with status \(code) (its message is above)")
    case .signalled(let signal):
        throw CommandFailure(code: .daemonError, message: "the backup did not pass: \(tool) was killed by signal \(signal) (its message is above)")
    }
    return (try? JSONValue(parsing: String(decoding: output, as: UTF8.self))) ?? .null
}

/// Rows per table, before and after, for a restore.
func countsTable(_ before: [String: JSONValue], _ after: [String: JSONValue]) -> Table {
    var table = Table(["TABLE", "BEFORE", "AFTER", "CHANGE"])
    for name in Set(before.keys).union(after.keys).sorted() {
        let old = before[name]?.intValue ?? 0, new = after[name]?.intValue ?? 0
        table.append([name, String(old), String(new), new == old ? "" : (new > old ? "+\(new - old)" : "\(new - old)")])
    }
    return table
}
