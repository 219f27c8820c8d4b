import Foundation
import KawalBackup
import ProcessSpawn
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// The second, off-site target: `restic backup --stdin` of the finished backup (already encrypted
/// to the age recipients, so restic's own encryption is a second layer) and of its manifest, both
/// tagged `kawal`, `kawal-backup=ID` and `kawal-file=data` or `kawal-file=manifest`:
/// `restic dump --tag kawal-backup=ID,kawal-file=data latest /ID.db.zst.age` brings the file back.
struct ResticCopier {
    var repository: String
    var passwordFile: String?
    var command: String
    /// restic's cache, kept beside the backups (a hardened unit has no writable home).
    var cacheDirectory: String

    init?(_ settings: JSONValue?, backupDirectory: String) {
        guard let settings, let repository = settings["repository"]?.stringValue else { return nil }
        self.repository = repository
        passwordFile = settings["password_file"]?.stringValue
        command = settings["command"]?.stringValue ?? "restic"
        cacheDirectory = backupDirectory + "/.restic-cache"
    }

    /// Copies the backup `id` from `directory`; the record says how it went (never throws: a failed
    /// off-site copy leaves the local backup good).
    func copy(id: String, directory: String) -> OffsiteCopy {
        var snapshots: [String] = []
        var failure: String?
        do {
            let password = try passwordPath()
            let executable = try resolve(command)
            for (name, file) in [(BackupNaming.dataFile(id: id), "data"), (BackupNaming.manifestFile(id: id), "manifest")] {
                snapshots.append(try backup(file: directory + "/" + name, as: name, tags: ["kawal", "kawal-backup=\(id)", "kawal-file=\(file)"],
                                            executable: executable, password: password))
            }
        } catch {
            failure = "\(error)"
        }
        return OffsiteCopy(target: "restic", repository: repository, copied: BackupNaming.timestamp(Date()), snapshots: snapshots, error: failure)
    }

    /// `restic_password_file`, else the systemd credential `restic-password`.
    func passwordPath() throws -> String {
        if let passwordFile {
            guard access(passwordFile, R_OK) == 0 else {
                throw ToolError("cannot read restic_password_file \(passwordFile): \(String(cString: strerror(errno)))")
            }
            return passwordFile
        }
        // kawald.service loads /etc/kawal/credentials as "kawal": the file restic-password arrives as kawal_restic-password.
        if let credentials = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"] {
            for name in ["restic-password", "kawal_restic-password"] where access(credentials + "/" + name, R_OK) == 0 {
                return credentials + "/" + name
            }
        }
        throw ToolError("the restic repository needs a password: set [backup] restic_password_file, or put it in /etc/kawal/credentials/restic-password (kawald.service passes it on as a systemd credential)")
    }

    private func resolve(_ command: String) throws -> String {
        if command.contains("/") {
            guard access(command, X_OK) == 0 else { throw ToolError("restic_command \(command) is not an executable file") }
            return command
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where access("\(folder)/\(command)", X_OK) == 0 {
            return "\(folder)/\(command)"
        }
        throw ToolError("\(command) is not installed (not found in PATH \(path)); install restic (apt install restic) or set [backup] restic_command")
    }

    /// One `restic backup --stdin`; the snapshot id from restic's JSON summary.
    private func backup(file: String, as name: String, tags: [String], executable: String, password: String) throws -> String {
        let input = open(file, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw ToolError("cannot open \(file) for the off-site copy") }
        defer { close(input) }
        let arguments = ["--repo", repository, "--password-file", password, "--cache-dir", cacheDirectory, "--json", "--quiet",
                         "backup", "--stdin", "--stdin-filename", name, "--host", "kawal"] + tags.flatMap { ["--tag", $0] }
        let pid: pid_t
        let output: (read: CInt, write: CInt)
        let errors: (read: CInt, write: CInt)
        do throws(Spawn.Failure) {
            output = try Spawn.pipe()
            do {
                errors = try Spawn.pipe()
            } catch {
                [output.read, output.write].forEach { close($0) }
                throw error
            }
            do {
                pid = try Spawn(executable, arguments, descriptors: [0: .descriptor(input), 1: .descriptor(output.write), 2: .descriptor(errors.write)]).start()
            } catch {
                [output.read, output.write, errors.read, errors.write].forEach { close($0) }
                throw error
            }
        } catch {
            throw ToolError(error.description)
        }
        close(output.write)
        close(errors.write)
        // stderr on a thread of its own, so that neither pipe can fill up and stall restic.
        let stderrText = LockedBox("")
        let stderrRead = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            stderrText.value = String(decoding: FileHandle(fileDescriptor: errors.read, closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
            stderrRead.signal()
        }
        let stdout = FileHandle(fileDescriptor: output.read, closeOnDealloc: true).readDataToEndOfFile()
        let status = ExitStatus.wait(for: pid)
        stderrRead.wait()
        guard status == .exited(0) else {
            let message = stderrText.value.split(separator: "\n").prefix(3).joined(separator: " | ")
            throw ToolError("restic backup of \(name) to \(OffsiteCopy.redacted(repository)) \(status): \(message)")
        }
        for line in String(decoding: stdout, as: UTF8.self).split(separator: "\n") {
            if let summary = try? JSONValue(parsing: String(line)), summary["message_type"]?.stringValue == "summary",
               let snapshot = summary["snapshot_id"]?.stringValue {
                return snapshot
            }
        }
        throw ToolError("restic backup of \(name) succeeded but printed no snapshot id")
    }
}

/// A value one thread writes and another reads after joining it.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
