import ArgumentParser
import Varlink

struct BackupNow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "now", abstract: "Take a backup now and wait for it; prints the file's path (--json: the manifest).")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let client = try ControlClient(options)
        let reply = try callWithProgress(client, "io.kawal.Backup.Now", label: "Backing up",
                                         waiting: "kawald takes a snapshot, then the backup plugin compresses and encrypts it…")
        let backup = reply["backup"] ?? .null
        if options.json {
            // The manifest's text, indented like every --json output.
            let manifest = backup["manifest"]?.stringValue.flatMap { try? JSONValue(parsing: $0) }
            print((manifest ?? backup).prettyPrinted())
            return
        }
        print(text(backup["path"]))
    }
}
