import ArgumentParser
import Varlink

struct RetentionPurge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Purge now what 'retention plan' shows as due (what the retention.purge job does on its timer)."
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.call("io.kawal.Privacy.Purge")
        if options.printedJSON(reply) { return }
        let purged = reply["purged"]?.arrayValue ?? []
        let held = reply["held"]?.arrayValue ?? []
        print("Purged \(counted(purged.count, "case"))\(purged.isEmpty ? "" : ": " + shownList(reply["purged"])); \(text(reply["people_removed"])) people removed with their last case.")
        if !held.isEmpty { print("Kept under legal hold: \(shownList(reply["held"])).") }
    }
}
