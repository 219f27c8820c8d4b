import ArgumentParser
import Varlink

struct FollowUpAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Plan a follow-up of an open case.",
        discussion: """
            WHEN is read by kawald in the deployment's time zone: 2025-02-07 (the end of that day), \
            2025-02-07T09:00, today, tomorrow, +3d, +12h.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The case's id or code.", valueName: "case"))
    var reference: CaseReference

    @Option(name: .long, help: ArgumentHelp("\(Choice.followUpKind.list).", valueName: "kind"), transform: Choice.followUpKind.parse)
    var kind: String

    @Option(name: .long, help: ArgumentHelp("When it is due: 2025-02-07, 2025-02-07T09:00, today, +3d.", valueName: "when"))
    var due: String

    @Option(name: .long, help: ArgumentHelp("How many hours after the due time it may still happen.", valueName: "hours"))
    var windowHours: Int64?

    @Option(name: .long, help: ArgumentHelp("What to do or bring.", valueName: "text"))
    var notes: String?

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = ["case_id": .int(try client.caseID(reference)), "kind": .string(kind), "due": .string(due)]
        if let windowHours { parameters["window_hours"] = .int(windowHours) }
        if let notes { parameters["notes"] = .string(notes) }
        let reply = try client.call("io.kawal.Cases.AddFollowUp", parameters)
        if options.printedJSON(reply) { return }
        let planned = reply["followup"] ?? .null
        let overdue = planned["overdue"]?.boolValue == true ? " (already overdue)" : ""
        print("Planned follow-up \(text(planned["id"])) of \(text(planned["case_code"])): \(text(planned["kind"])) due \(shownTime(planned["due_at"]))\(overdue)")
    }
}
