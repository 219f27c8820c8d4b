import ArgumentParser
import Varlink

struct CaseTransition: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transition",
        abstract: "Move a case to another status.",
        discussion: """
            The way through: new → assessment → in_progress → referred → resolved → closed; withdrawn from \
            any open status; reopened from resolved, closed or withdrawn. kawald refuses any other move and \
            names the ones allowed from where the case is. Moving a case out of the open statuses cancels \
            its planned follow-ups. Without --version, the case's current version is read and used.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The case's id or code.", valueName: "id-or-code"))
    var reference: CaseReference

    @Argument(help: ArgumentHelp("The new status: \(Choice.caseStatus.list).", valueName: "status"), transform: Choice.caseStatus.parse)
    var status: String

    @OptionGroup var change: TransitionOptions

    func run() throws {
        try Self.move(reference, to: status, change, options)
    }

    /// Sends the transition and reports it; `case close` and `case reopen` come here too.
    static func move(_ reference: CaseReference, to status: String, _ change: TransitionOptions, _ options: GlobalOptions) throws {
        let client = try ControlClient(options)
        let target = try client.caseTarget(reference, version: change.version.number)
        var parameters: [String: JSONValue] = ["id": .int(target.id), "version": .int(target.version), "to": .string(status)]
        if let note = change.note { parameters["note"] = .string(note) }
        let reply = try client.call("io.kawal.Cases.Transition", parameters)
        if options.printedJSON(reply) { return }
        let moved = reply["case"] ?? .null
        print("Case \(text(moved["code"])) is now \(text(moved["status"])) (version \(text(moved["version"]))).")
    }
}

/// The options every status change takes.
struct TransitionOptions: ParsableArguments {
    @OptionGroup var version: RecordVersion

    @Option(name: .long, help: ArgumentHelp("Why, for the case's history.", valueName: "text"))
    var note: String?
}
