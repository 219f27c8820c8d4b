import ArgumentParser
import Varlink

struct CaseList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List cases, newest first, with their next follow-up.",
        discussion: """
            The options narrow the list and combine. --open selects every status but resolved, closed and \
            withdrawn. Case handlers see only the cases assigned to them. kawald sends a page at a time \
            (--limit); --all fetches every page.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(name: .long, help: "Only cases that still need work.")
    var open = false

    @Option(name: .long, help: ArgumentHelp("Only cases in this status: \(Choice.caseStatus.list).", valueName: "status"),
            transform: Choice.caseStatus.parse)
    var status: String?

    @Option(name: .long, help: "Only cases of this village (desa).")
    var village: String?

    @Option(name: .long, help: ArgumentHelp("Only cases of this type: \(Choice.caseType.list).", valueName: "type"),
            transform: Choice.caseType.parse)
    var type: String?

    @Option(name: .long, help: ArgumentHelp("Only cases assigned to this handler (a handler code).", valueName: "code"))
    var handler: String?

    @Option(name: .long, help: ArgumentHelp("Only cases of this risk level: \(Choice.risk.list).", valueName: "level"),
            transform: Choice.risk.parse)
    var risk: String?

    @OptionGroup var paging: Paging

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = [:]
        if open { parameters["open"] = true }
        let filters: [(String, String?)] = [("status", status), ("village", village), ("type", type), ("handler", handler), ("risk", risk)]
        for case let (key, value?) in filters { parameters[key] = .string(value) }
        let reply = try client.list("io.kawal.Cases.List", parameters, items: "cases", paging: paging)
        if options.printedJSON(reply) { return }
        Table.cases(reply["cases"]?.arrayValue ?? []).print(ifEmpty: "No cases found.")
        paging.printContinuation(of: reply)
    }
}
