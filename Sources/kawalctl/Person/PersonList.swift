import ArgumentParser
import Varlink

struct PersonList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List people, oldest record first, with their open cases.",
        discussion: """
            NIKs are masked. Case handlers see only the people of their own cases. kawald sends a page at a \
            time (--limit); --all fetches every page.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: "Only people of this village (desa).")
    var village: String?

    @Option(name: .long, help: ArgumentHelp("Only people whose name contains this text (case, accents and punctuation do not matter).", valueName: "text"))
    var name: String?

    @OptionGroup var paging: Paging

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = [:]
        if let village { parameters["village"] = .string(village) }
        if let name { parameters["name"] = .string(name) }
        let reply = try client.list("io.kawal.People.List", parameters, items: "people", paging: paging)
        if options.printedJSON(reply) { return }
        Table.people(reply["people"]?.arrayValue ?? []).print(ifEmpty: "No people found.")
        paging.printContinuation(of: reply)
    }
}
