import ArgumentParser
import Varlink

struct BackupRestore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the live database with a backup: decrypt and check it here, then kawald swaps the database atomically.",
        discussion: """
            The previous database is kept beside it as kawal.db.pre-restore-TIME. A backup that fails to decrypt, \
            whose hashes differ from its manifest, that fails integrity_check or comes from a newer schema is refused, \
            and the live database is not touched. --file restores an age file made elsewhere (e.g. 'zstd | age -r'), \
            which has no manifest to check against. Run as root or kawald's user: the decrypted file is written into \
            kawald's state folder.
            """)

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The backup's id, as 'backup list' shows it.")
    var id: String?

    @Option(name: .long, help: ArgumentHelp("The age identity file (AGE-SECRET-KEY-1…) that opens the backup.", valueName: "file"))
    var identity: String

    @Option(name: .long, help: ArgumentHelp("Restore this .zst.age file instead of a listed backup (no manifest to check).", valueName: "path"))
    var file: String?

    func validate() throws {
        guard (id == nil) != (file == nil) else { throw ValidationError("give either a backup id or --file PATH") }
    }

    func run() throws {
        let client = try ControlClient(options)
        var prepare: [String: JSONValue] = [:]
        if let id { prepare["id"] = .string(id) }
        let prepared = try client.call("io.kawal.Backup.PrepareRestore", prepare)
        let staging = text(prepared["staging_path"])
        var arguments = ["decrypt", "--identity", identity, "--output", staging]
        if let backup = prepared["backup"], backup != .null {
            arguments += ["--input", text(backup["path"]), "--manifest", text(backup["manifest_path"])]
        } else {
            arguments += ["--input", file ?? ""]
        }
        _ = try runBackupTool(arguments)
        showActivity("Decrypted and checked; kawald is swapping the database…")
        var restore: [String: JSONValue] = ["staging_path": .string(staging)]
        if let id { restore["id"] = .string(id) }
        let reply = try client.call("io.kawal.Backup.Restore", restore)
        if options.printedJSON(reply) { return }
        print("Restored \(id ?? file ?? ""). The previous database is kept as \(text(reply["previous_path"])).")
        print("Schema \(text(reply["schema_version_before"])) → \(text(reply["schema_version_after"])).")
        countsTable(reply["counts_before"]?.objectValue ?? [:], reply["counts_after"]?.objectValue ?? [:]).print()
    }
}
