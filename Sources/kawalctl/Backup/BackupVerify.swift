import ArgumentParser
import Varlink

struct BackupVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-read a stored backup and compare its hash with its manifest; with --identity, also decrypt it and check the database.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The backup's id (kawal-YYYYMMDDTHHMMSSZ), as 'backup list' shows it.")
    var id: String

    @Option(name: .long, help: ArgumentHelp("An age identity file (AGE-SECRET-KEY-1…): decrypt, decompress and run integrity_check.", valueName: "file"))
    var identity: String?

    func run() throws {
        let client = try ControlClient(options)
        let reply = try callWithProgress(client, "io.kawal.Backup.Verify", ["id": .string(id)], label: "Verifying",
                                         waiting: "kawald re-reads the stored file…")
        let backup = reply["backup"] ?? .null
        guard reply["ok"]?.boolValue == true else {
            throw CommandFailure(code: .daemonError, message: "backup \(id) is not good: \(text(reply["problem"]))",
                                 json: options.json ? .object(reply) : nil)
        }
        var result = reply
        if let identity {
            let checked = try runBackupTool(["verify", "--identity", identity, "--input", text(backup["path"]), "--manifest", text(backup["manifest_path"])])
            result["decrypted"] = checked
        }
        if options.printedJSON(result) { return }
        print(identity == nil
              ? "Backup \(id): the file matches its manifest (size and SHA-256)."
              : "Backup \(id): the file matches its manifest, decrypts, decompresses, and the database passes integrity_check with the manifest's row counts.")
    }
}
