import ArgumentParser
import Varlink

struct AuditList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List audit events, newest first.",
        discussion: """
            Objects are named like person/12, case/K-2025-0001, handler/ani; actions like person.read, \
            person.reveal_nik, case.transition, referral.add_consent_override.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Only events about this record, e.g. person/12 or case/K-2025-0001.", valueName: "object"))
    var object: String?

    @Option(name: .long, help: ArgumentHelp("Only events of this action, e.g. person.reveal_nik.", valueName: "action"))
    var action: String?

    @OptionGroup var paging: Paging

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = [:]
        if let object { parameters["object"] = .string(object) }
        if let action { parameters["action"] = .string(action) }
        let reply = try client.list("io.kawal.Audit.List", parameters, items: "events", paging: paging)
        if options.printedJSON(reply) { return }
        Table.auditEvents(reply["events"]?.arrayValue ?? []).print(ifEmpty: "No audit events found.")
        paging.printContinuation(of: reply)
    }
}
