import ArgumentParser
import Varlink

struct PersonRestrict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restrict",
        abstract: "Restrict processing of a person's data: no reminders, not counted in reports, until lifted."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The person's id.")
    var id: Int64

    @Option(name: .long, help: ArgumentHelp("Why, e.g. the person's request and its date.", valueName: "text"))
    var reason: String

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.call("io.kawal.Privacy.Restrict", ["id": .int(id), "reason": .string(reason)])
        if options.printedJSON(reply) { return }
        print("Processing of person \(id)'s data is restricted since \(shownTime(reply["restricted_at"])).")
    }
}
