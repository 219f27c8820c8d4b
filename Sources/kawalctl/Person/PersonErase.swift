import ArgumentParser
import Varlink

struct PersonErase: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a person: their cases become de-identified counts; the person, contact data and consents are deleted.",
        discussion: """
            Refused while any of their cases is under legal hold. Administrators only; audited. Backups made \
            before the erasure still hold the data until they age out (see docs/privacy.md).
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The person's id.")
    var id: Int64

    @Option(name: .long, help: ArgumentHelp("Why: the request's reference and date (kept in the audit log, so no name).", valueName: "text"))
    var reason: String

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.call("io.kawal.Privacy.Erase", ["id": .int(id), "reason": .string(reason)])
        if options.printedJSON(reply) { return }
        let cases = reply["cases_deidentified"]?.arrayValue ?? []
        print("Person \(id) erased; \(counted(cases.count, "case")) kept as de-identified counts\(cases.isEmpty ? "" : ": " + shownList(reply["cases_deidentified"])).")
    }
}
