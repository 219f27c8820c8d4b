import ArgumentParser
import Varlink

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find people and cases by words in names, case summaries and notes.",
        discussion: """
            Every word must match, as the start of a word ('sit' finds Siti); case and accents do not matter. \
            Case handlers find only their own cases and the people of them. Searches are audited.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The words to look for.", valueName: "text"))
    var words: [String]

    @Option(name: .long, help: ArgumentHelp("At most this many results (default 50, at most 500).", valueName: "n"))
    var limit: Int?

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = ["text": .string(words.joined(separator: " "))]
        if let limit { parameters["limit"] = .int(Int64(limit)) }
        let reply = try client.call("io.kawal.Cases.Search", parameters)
        if options.printedJSON(reply) { return }
        Table.searchHits(reply["results"]?.arrayValue ?? []).print(ifEmpty: "Nothing found.")
    }
}
