import ArgumentParser
import Varlink

struct BackupList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the backups, newest first; interrupted or damaged ones show why they are not good.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Backup.List")
        if options.printedJSON(reply) { return }
        Table.backups(reply["backups"]?.arrayValue ?? []).print(ifEmpty: "No backups in \(text(reply["dir"])) yet; 'kawalctl backup now' takes one.")
    }
}
