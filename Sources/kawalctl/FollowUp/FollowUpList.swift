import ArgumentParser
import Varlink

struct FollowUpList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List planned follow-ups, the soonest due first.",
        discussion: """
            --overdue shows those past due, --due-within those due within a time from now (7d, 12h, 2w); \
            the options combine. Case handlers see the follow-ups of their own cases. A case's finished \
            follow-ups are in 'kawalctl case show'.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(name: .long, help: "Only follow-ups past their due time.")
    var overdue = false

    @Option(name: .long, help: ArgumentHelp("Only follow-ups due within this long from now: 30m, 12h, 7d, 2w.", valueName: "duration"))
    var dueWithin: String?

    @Option(name: .customLong("case"), help: ArgumentHelp("Only the follow-ups of this case (id or code).", valueName: "case"))
    var reference: CaseReference?

    @Option(name: .long, help: ArgumentHelp("Only the follow-ups of this handler's cases (a handler code).", valueName: "code"))
    var handler: String?

    @OptionGroup var paging: Paging

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = [:]
        if overdue { parameters["overdue"] = true }
        if let dueWithin { parameters["due_within"] = .string(dueWithin) }
        if let reference { parameters["case_id"] = .int(try client.caseID(reference)) }
        if let handler { parameters["handler"] = .string(handler) }
        let reply = try client.list("io.kawal.Cases.ListFollowUps", parameters, items: "followups", paging: paging)
        if options.printedJSON(reply) { return }
        Table.followUps(reply["followups"]?.arrayValue ?? []).print(ifEmpty: "No planned follow-ups found.")
        paging.printContinuation(of: reply)
    }
}
