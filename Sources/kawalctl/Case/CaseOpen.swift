import ArgumentParser
import Varlink

struct CaseOpen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open a case for a person (its status is new).",
        discussion: """
            --person and --type are needed; the village is the person's unless --village says otherwise, and \
            the risk is low unless --risk says otherwise. kawald gives the case a code (K-2025-0001) to use in \
            messages and on paper. With --handler the case is assigned at once.
            """
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var fields: CaseFields

    @Option(name: .long, help: ArgumentHelp("Assign the case to this handler at once (a handler code).", valueName: "code"))
    var handler: String?

    func validate() throws {
        if fields.person == nil || fields.type == nil {
            throw ValidationError("a case needs --person ID and --type (\(Choice.caseType.list))")
        }
    }

    func run() throws {
        let client = try ControlClient(options)
        var input = fields.input(currentReporter: nil)
        if let handler { input["handler"] = .string(handler) }
        let reply = try client.call("io.kawal.Cases.Open", ["case": .object(input)])
        if options.printedJSON(reply) { return }
        let opened = reply["case"] ?? .null
        let assigned = opened["handler"]?.stringValue.map { ", assigned to \($0)" } ?? ""
        print("Opened case \(text(opened["code"])) (id \(text(opened["id"]))) for \(text(opened["person_name"])), \(text(opened["village"])): "
            + "\(text(opened["type"])), risk \(Table.shownRisk(opened))\(assigned)")
    }
}
