import ArgumentParser
import Varlink

struct CaseAssign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Give a case to a handler, or take it from everyone with --none.",
        discussion: """
            The handler is named by code ('kawalctl handler list' shows them) and must be active. Without \
            --version, the case's current version is read and used.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The case's id or code.", valueName: "id-or-code"))
    var reference: CaseReference

    @Argument(help: ArgumentHelp("The handler's code.", valueName: "handler"))
    var handler: String?

    @Flag(name: .long, help: "Leave the case without a handler.")
    var none = false

    @OptionGroup var version: RecordVersion

    func validate() throws {
        if handler == nil && !none { throw ValidationError("give a handler code, or --none to leave the case unassigned") }
        if handler != nil && none { throw ValidationError("give a handler code or --none, not both") }
    }

    func run() throws {
        let client = try ControlClient(options)
        let target = try client.caseTarget(reference, version: version.number)
        let reply = try client.call("io.kawal.Cases.Assign", [
            "id": .int(target.id), "version": .int(target.version), "handler": handler.map { .string($0) } ?? .null,
        ])
        if options.printedJSON(reply) { return }
        let assigned = reply["case"] ?? .null
        if let code = assigned["handler"]?.stringValue {
            print("Case \(text(assigned["code"])) is now \(code)'s (version \(text(assigned["version"]))).")
        } else {
            print("Case \(text(assigned["code"])) has no handler now (version \(text(assigned["version"]))).")
        }
    }
}
