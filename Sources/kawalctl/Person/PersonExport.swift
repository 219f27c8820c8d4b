import ArgumentParser
import Varlink

struct PersonExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Everything held about a person, as JSON, with the audit trail of who accessed it.",
        discussion: """
            For a subject access request under UU PDP (to be answered within 3×24 hours): the person's record \
            with the full NIK, their consents, every case with its history, follow-ups and referrals, and every \
            audit event about them or their cases. Administrators only; the export itself is audited.
            Example: kawalctl person export 12 > person-12.json
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The person's id.")
    var id: Int64

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.call("io.kawal.Privacy.ExportPerson", ["id": .int(id)])
        print((reply["export"] ?? .null).prettyPrinted())
    }
}
