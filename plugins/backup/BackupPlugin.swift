import Crypto
import Foundation
import GRDB
import KawalAge
import KawalBackup
import KawalContracts
import KawalCore
import KawalPluginKit
import Varlink
#if canImport(Glibc)
import Glibc
#endif

// kawal-backup: Kawal's backup plugin, and the tool kawalctl runs to open a backup.
//
//   kawal-backup                      as a plugin (started by kawald, [plugins.backup]): takes "backup" jobs
//   kawal-backup decrypt --identity KEYFILE --input FILE.db.zst.age --output DB [--manifest MANIFEST.json]
//   kawal-backup verify  --identity KEYFILE --input FILE.db.zst.age [--manifest MANIFEST.json]
//
// decrypt and verify print one line of JSON on stdout, errors on stderr; exit 0 on success, 1 on a
// damaged or mismatching backup, 2 on a bad command line.

let toolVersion = "kawal-backup \(KawalDefaults.version)"
func fail(_ message: String, status: Int32 = 1) -> Never { exitWithError(message, status: status) }

let usage = """
    usage: kawal-backup                          (plugin mode, started by kawald)
           kawal-backup decrypt --identity KEYFILE --input FILE --output DB [--manifest MANIFEST]
           kawal-backup verify --identity KEYFILE --input FILE [--manifest MANIFEST]
    """

func exitWithError(_ message: String, status: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("kawal-backup: \(message)\n".utf8))
    exit(status)
}

func options(_ arguments: ArraySlice<String>) -> [String: String] {
    var result: [String: String] = [:]
    var index = arguments.startIndex
    while index < arguments.endIndex {
        let key = arguments[index]
        guard key.hasPrefix("--"), index + 1 < arguments.endIndex else { fail("unexpected argument '\(key)'\n\(usage)", status: 2) }
        result[String(key.dropFirst(2))] = arguments[index + 1]
        index += 2
    }
    return result
}

func loadIdentities(_ path: String) -> [AgeIdentity] {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read the identity file \(path): \(String(cString: strerror(errno)))") }
    do {
        return try AgeIdentity.parseFile(String(decoding: data, as: UTF8.self), file: path)
    } catch {
        fail("\(error)")
    }
}

func loadManifest(_ path: String?) -> BackupManifest? {
    guard let path else { return nil }
    guard let data = FileManager.default.contents(atPath: path) else {
        fail("the manifest \(path) is missing: without it the backup cannot be checked; pass the .db.zst.age file alone (kawalctl backup restore --file) only if you trust it")
    }
    do { return try WireJSON.decode(BackupManifest.self, from: data) } catch { fail("the manifest \(path) is not readable: \(error)") }
}

/// Decrypts and decompresses `input`, comparing hashes with the manifest.
/// The identities, input and manifest named by the options; read before any output file is made.
func inputs(_ options: [String: String]) -> (identities: [AgeIdentity], input: String, manifest: BackupManifest?) {
    guard let identity = options["identity"], let input = options["input"] else { fail("--identity and --input are required\n\(usage)", status: 2) }
    return (loadIdentities(identity), input, loadManifest(options["manifest"]))
}

func decrypt(_ inputs: (identities: [AgeIdentity], input: String, manifest: BackupManifest?), output: AtomicFile?) -> BackupDecryptor.Result {
    let (identities, input, manifest) = inputs
    // Partly decrypted personal data never stays on disk: the temporary output goes with any failure.
    func fail(_ message: String) -> Never {
        output?.abort()
        exitWithError(message)
    }
    if let manifest, fileSize(input) != manifest.ciphertextBytes {
        fail("\(input) is \(fileSize(input)) bytes, its manifest says \(manifest.ciphertextBytes): the file is truncated or not the one the manifest describes")
    }
    let result: BackupDecryptor.Result
    do {
        result = try BackupDecryptor(identities: identities).decrypt(input: input, output: output, progress: Progress("decrypting", total: fileSize(input)))
    } catch let error as AgeError {
        fail("\(input): \(error)")
    } catch {
        fail("\(input): \(error)")
    }
    if let manifest {
        guard result.ciphertextSHA256 == manifest.ciphertextSHA256 else {
            fail("\(input): SHA-256 \(result.ciphertextSHA256) differs from the manifest's \(manifest.ciphertextSHA256)")
        }
        guard result.plaintextSHA256 == manifest.plaintextSHA256, result.plaintextBytes == manifest.plaintextBytes else {
            fail("\(input): the decrypted database differs from the one the manifest describes (SHA-256 \(result.plaintextSHA256), \(result.plaintextBytes) bytes)")
        }
    }
    return result
}

func printJSON(_ value: [String: JSONValue]) {
    print(String(decoding: JSONValue.object(value).serialized(), as: UTF8.self))
}

func commandDecrypt(_ options: [String: String]) {
    guard let outputPath = options["output"] else { fail("--output is required\n\(usage)", status: 2) }
    let source = inputs(options)
    let output: AtomicFile
    do {
        output = try AtomicFile(path: outputPath, mode: 0o600)
        // Root restoring for kawald: the decrypted database belongs to whoever owns the folder it is put in.
        var info = stat()
        if getuid() == 0, stat((outputPath as NSString).deletingLastPathComponent, &info) == 0 {
            try output.changeOwner(uid: info.st_uid, gid: info.st_gid)
        }
    } catch {
        fail("\(error)")
    }
    let result = decrypt(source, output: output)
    let checked: DatabaseInspection
    do {
        try output.commit()
        checked = try DatabaseInspection(file: outputPath, knownMigrations: [])
    } catch {
        unlink(outputPath)
        fail("the decrypted file is not a usable SQLite database: \(error)")
    }
    guard checked.integrity == "ok" else {
        unlink(outputPath)
        fail("the decrypted database fails PRAGMA integrity_check: \(checked.integrity.prefix(300))")
    }
    printJSON(["output": .string(outputPath), "plaintext_bytes": .int(result.plaintextBytes), "plaintext_sha256": .string(result.plaintextSHA256),
               "integrity_check": "ok", "counts": .object(checked.counts.mapValues { .int($0) })])
}

func commandVerify(_ options: [String: String]) {
    let source = inputs(options)
    let directory = NSTemporaryDirectory() + "kawal-verify-\(getpid())"
    guard mkdir(directory, 0o700) == 0 else { exitWithError("cannot make \(directory): \(String(cString: strerror(errno)))") }
    let path = directory + "/backup.db"
    // The decrypted copy is removed on every way out, exit() included.
    func fail(_ message: String) -> Never {
        unlink(path)
        rmdir(directory)
        exitWithError(message)
    }
    defer {
        unlink(path)
        rmdir(directory)
    }
    let output: AtomicFile
    do { output = try AtomicFile(path: path, mode: 0o600) } catch { fail("\(error)") }
    let manifest = source.manifest
    let result = decrypt(source, output: output)
    let checked: DatabaseInspection
    do {
        try output.commit()
        checked = try DatabaseInspection(file: path, knownMigrations: [])
    } catch {
        fail("the decrypted file is not a usable SQLite database: \(error)")
    }
    guard checked.integrity == "ok" else { fail("the decrypted database fails PRAGMA integrity_check: \(checked.integrity.prefix(300))") }
    if let manifest, manifest.counts != checked.counts {
        fail("the decrypted database's row counts differ from the manifest's")
    }
    printJSON(["ok": true, "plaintext_bytes": .int(result.plaintextBytes), "plaintext_sha256": .string(result.plaintextSHA256),
               "integrity_check": "ok", "counts": .object(checked.counts.mapValues { .int($0) })])
}

/// One "backup" job: snapshot from kawald, then compress, encrypt, check, write the manifest, tell
/// kawald. Returns the off-site copy to make once the job is acknowledged (the local backup is
/// complete without it, and a slow upload must not outlive the job's lease), when one is configured.
func runBackup(_ job: PluginJob, plugin: KawalPlugin) throws -> (() -> Void)? {
    let socketPath = ProcessInfo.processInfo.environment["KAWAL_PLUGINS_SOCKET"] ?? "/run/kawal/plugins.sock"
    let kawald = try VarlinkConnection(unixSocketPath: socketPath)
    let snapshot = try kawald.call("io.kawal.Backup.Snapshot", ["job_id": .int(job.id)])
    guard let snapshotPath = snapshot["snapshot_path"]?.stringValue, let id = snapshot["id"]?.stringValue,
          let directory = snapshot["dir"]?.stringValue, let created = snapshot["created"]?.stringValue else {
        throw ToolError("kawald's Snapshot reply lacks snapshot_path, id, dir or created")
    }
    let recipients = try (snapshot["recipients"]?.arrayValue ?? []).compactMap(\.stringValue).map { try AgeRecipient(parsing: $0) }
    guard !recipients.isEmpty else { throw ToolError("[backup] recipients is empty") }
    let level = Int(snapshot["compression_level"]?.intValue ?? 3)
    let writer = EncryptedBackupWriter(recipients: recipients, level: level, threads: Int(snapshot["compression_threads"]?.intValue ?? 0))
    let dataPath = directory + "/" + BackupNaming.dataFile(id: id)
    let progress = Progress("Backing up", total: fileSize(snapshotPath)) { done, total in
        _ = try? kawald.call("io.kawal.Backup.Progress", ["id": .string(id), "done_bytes": .int(done), "total_bytes": .int(total)])
    }
    let result = try writer.write(snapshot: snapshotPath, to: dataPath, progress: progress)
    // What was written is read back: the hash on disk must be the hash of what was encrypted.
    var reread = SHA256()
    try readFile(dataPath) { reread.update(bufferPointer: $0) }
    guard reread.finalize().hex == result.ciphertextSHA256, fileSize(dataPath) == result.ciphertextBytes else {
        unlink(dataPath)
        throw ToolError("\(dataPath) does not read back as written (hash or size differs); removed")
    }
    // kawald checked the snapshot meanwhile; only a sound one gets a manifest.
    let checked: [String: JSONValue]
    do {
        checked = try kawald.call("io.kawal.Backup.Checked", ["id": .string(id)])
    } catch {
        unlink(dataPath)
        throw error
    }
    let manifest = BackupManifest(
        id: id, created: created, plaintextBytes: result.plaintextBytes, plaintextSHA256: result.plaintextSHA256,
        ciphertextBytes: result.ciphertextBytes, ciphertextSHA256: result.ciphertextSHA256, compressedBytes: result.compressedBytes,
        compressionLevel: level, recipients: recipients.map(\.description), schemaVersion: Int(checked["schema_version"]?.intValue ?? 0),
        counts: (checked["counts"]?.objectValue ?? [:]).compactMapValues(\.intValue), integrityCheck: checked["integrity_check"]?.stringValue ?? "",
        toolVersion: toolVersion, jobID: job.id)
    let manifestFile = try AtomicFile(path: directory + "/" + BackupNaming.manifestFile(id: id), mode: 0o640)
    try manifestFile.write(manifest.fileContents)
    try manifestFile.commit()
    let finished = try kawald.call("io.kawal.Backup.Finished", ["id": .string(id)])
    let removed = (finished["removed"]?.arrayValue ?? []).compactMap(\.stringValue)
    plugin.log("backup \(id) written: \(mebibytes(result.plaintextBytes)) → \(mebibytes(result.ciphertextBytes))\(removed.isEmpty ? "" : "; retention removed \(removed.joined(separator: ", "))")")
    guard let restic = ResticCopier(snapshot["restic"], backupDirectory: directory) else { return nil }
    return {
        let copy = restic.copy(id: id, directory: directory)
        do {
            let record = try AtomicFile(path: directory + "/" + BackupNaming.offsiteFile(id: id), mode: 0o640)
            try record.write(try copy.encoded())
            try record.commit()
        } catch {
            plugin.log("cannot write the off-site record of backup \(id): \(error)", level: .error)
        }
        if let error = copy.error {
            plugin.log("off-site copy of backup \(id) failed: \(error)", level: .error)
        } else {
            plugin.log("backup \(id) copied to restic: snapshots \(copy.snapshots.joined(separator: ", "))")
        }
        var parameters: [String: JSONValue] = ["id": .string(id), "ok": .bool(copy.succeeded), "snapshots": .array(copy.snapshots.map { .string($0) })]
        if let error = copy.error { parameters["error"] = .string(error) }
        do {
            _ = try kawald.call("io.kawal.Backup.Offsite", parameters)
        } catch {
            plugin.log("cannot tell kawald about the off-site copy of backup \(id): \(error)", level: .error)
        }
    }
}

/// A size for a log line, in MiB with one decimal (bytes would be long digit runs, which kawald's
/// filter of plugin output takes for phone numbers).
func mebibytes(_ bytes: Int64) -> String {
    String(format: "%.1f MiB", Double(bytes) / 1_048_576)
}

func runPlugin() async {
    let plugin: KawalPlugin
    do {
        plugin = try KawalPlugin.connect(name: ProcessInfo.processInfo.environment["KAWAL_PLUGIN_NAME"] ?? "backup", version: KawalDefaults.version,
                                         capabilities: ["backup"])
    } catch {
        fail("cannot register with kawald: \(error)")
    }
    do {
        for try await job in plugin.jobs {
            do {
                let offsite = try runBackup(job, plugin: plugin)
                job.ack()
                offsite?()
            } catch let error as AgeError {
                plugin.log("backup failed: \(error)", level: .error)
                job.fail("\(error)", retryable: false)
            } catch {
                plugin.log("backup failed, to be retried: \(error)", level: .error)
                job.fail("\(error)", retryable: true)
            }
        }
    } catch {
        fail("connection to kawald lost: \(error)")
    }
}

/// Where kawal-plugins starts kawal-backup: `run` (the plugin, the default), `decrypt` and `verify`
/// (for kawalctl backup restore and verify, and for people without Kawal), `version`.
public enum Entry {
    public static func main() async {
        let arguments = CommandLine.arguments.dropFirst()
        switch arguments.first {
        case nil, "run":
            await runPlugin()
        case "decrypt":
            commandDecrypt(options(arguments.dropFirst()))
        case "verify":
            commandVerify(options(arguments.dropFirst()))
        case "--version", "version":
            print(toolVersion)
        default:
            fail("unknown command '\(arguments.first!)'\n\(usage)", status: 2)
        }
    }
}
