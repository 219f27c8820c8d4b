import ArgumentParser
import Varlink

struct ConsentList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the consent register, for one person or everyone."
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Only this person's consents.", valueName: "id"))
    var person: Int64?

    @Option(name: .long, help: ArgumentHelp("Only consents for this purpose.", valueName: "purpose"))
    var purpose: String?

    @Flag(name: .long, help: "Only consents in force (granted and not withdrawn).")
    var active = false

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = ["active": .bool(active)]
        if let person { parameters["person_id"] = .int(person) }
        if let purpose { parameters["purpose"] = .string(purpose) }
        let reply = try client.call("io.kawal.Privacy.ListConsents", parameters)
        if options.printedJSON(reply) { return }
        var table = Table(["ID", "PERSON", "PURPOSE", "METHOD", "GIVEN", "BY", "PROOF", "WITHDRAWN"])
        for consent in reply["consents"]?.arrayValue ?? [] {
            let by = consent["given_by"]?.stringValue == "guardian" ? "guardian \(text(consent["guardian_name"]))" : text(consent["given_by"])
            table.append([text(consent["id"]), text(consent["person_id"]), text(consent["purpose"]), text(consent["method"]),
                          text(consent["given_on"]), by, text(consent["proof_ref"]), shownTime(consent["withdrawn_at"])])
        }
        table.print(ifEmpty: "No consents recorded.")
    }
}
