import ArgumentParser
import Varlink

struct PersonUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change fields of a person's record; fields not given stay as they are.",
        discussion: """
            An empty value clears a field (--hamlet ''). --vulnerability and --document replace the whole \
            list; --no-vulnerabilities and --no-documents empty it.

            --version is the version you read (person show prints it): if someone changed the record since, \
            kawald refuses with a conflict and nothing is changed. Without --version, the current version \
            is read first and used.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The person's id.")
    var id: Int64

    @OptionGroup var version: RecordVersion

    @OptionGroup var fields: PersonFields

    @Flag(name: .long, help: "Remove every vulnerability flag.")
    var noVulnerabilities = false

    @Flag(name: .long, help: "Remove every document from the list of documents held.")
    var noDocuments = false

    func validate() throws {
        if noVulnerabilities && !fields.vulnerabilities.isEmpty {
            throw ValidationError("--vulnerability and --no-vulnerabilities exclude each other")
        }
        if noDocuments && !fields.documents.isEmpty { throw ValidationError("--document and --no-documents exclude each other") }
        if changes.isEmpty { throw ValidationError("nothing to change; give the fields to change, e.g. --phone 081234567890") }
    }

    var changes: [String: JSONValue] {
        var changes = fields.input
        if noVulnerabilities { changes["vulnerabilities"] = [] }
        if noDocuments { changes["documents"] = [] }
        return changes
    }

    func run() throws {
        let client = try ControlClient(options)
        let version = try client.personVersion(id, given: version.number)
        let reply = try client.call("io.kawal.People.Update", ["id": .int(id), "version": .int(version), "changes": .object(changes)])
        if options.printedJSON(reply) { return }
        let person = reply["person"] ?? .null
        print("Updated person \(text(person["id"])): \(text(person["name"])), \(text(person["village"])) (version \(text(person["version"])))")
        for warning in reply["warnings"]?.arrayValue ?? [] {
            print("warning: \(text(warning))")
        }
    }
}
