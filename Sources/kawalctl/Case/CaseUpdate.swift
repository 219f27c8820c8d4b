import ArgumentParser
import Varlink

struct CaseUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change fields of a case; fields not given stay as they are.",
        discussion: """
            An empty value clears a field (--summary ''). The reporter options change only what they name. \
            Case handlers may change only the notes of their own cases. The status changes with 'case \
            transition', the handler with 'case assign'.

            --version is the version you read (case show prints it): if someone changed the case since, kawald \
            refuses with a conflict and nothing is changed. Without it, the current version is read and used.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The case's id or code.", valueName: "id-or-code"))
    var reference: CaseReference

    @OptionGroup var version: RecordVersion

    @OptionGroup var fields: CaseFields

    func validate() throws {
        if fields.input(currentReporter: nil).isEmpty {
            throw ValidationError("nothing to change; give the fields to change, e.g. --risk high or --notes '…'")
        }
    }

    func run() throws {
        let client = try ControlClient(options)
        let target: (id: Int64, version: Int64)
        var currentReporter: JSONValue?
        if fields.changesReporter {
            // The reporter is sent whole: start from the recorded one.
            let current = try client.caseDetail(reference)["case"]
            currentReporter = current?["reporter"]
            target = (current?["id"]?.intValue ?? 0, version.number ?? current?["version"]?.intValue ?? 0)
        } else {
            target = try client.caseTarget(reference, version: version.number)
        }
        let reply = try client.call("io.kawal.Cases.Update", [
            "id": .int(target.id), "version": .int(target.version), "changes": .object(fields.input(currentReporter: currentReporter)),
        ])
        if options.printedJSON(reply) { return }
        let updated = reply["case"] ?? .null
        print("Updated case \(text(updated["code"])) (version \(text(updated["version"]))).")
    }
}
