import ArgumentParser
import Varlink

struct BackupPrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Remove the backups no retention rule ([backup] keep_*) keeps; each backup is listed with the reason.")

    @OptionGroup var options: GlobalOptions

    @Flag(name: .long, help: "Only show what would be kept and removed.")
    var dryRun = false

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Backup.Prune", ["dry_run": .bool(dryRun)])
        if options.printedJSON(reply) { return }
        var table = Table(["ID", dryRun ? "WOULD" : "ACTION", "REASON"])
        for decision in reply["decisions"]?.arrayValue ?? [] {
            let keep = decision["keep"]?.boolValue == true
            table.append([text(decision["id"]), keep ? "keep" : (dryRun ? "remove" : "removed"), shownList(decision["reasons"])])
        }
        table.print(ifEmpty: "No backups.")
    }
}
