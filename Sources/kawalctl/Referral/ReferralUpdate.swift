import ArgumentParser
import Varlink

struct ReferralUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Record what became of a referral: its status, the service's reference, a deadline, notes.",
        discussion: """
            A status change is written to the case's history. Without --version, the referral's current \
            version is read and used.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The referral's id ('kawalctl referral list' shows them).")
    var id: Int64

    @OptionGroup var version: RecordVersion

    @Option(name: .long, help: ArgumentHelp("\(Choice.referralStatus.list).", valueName: "status"), transform: Choice.referralStatus.parse)
    var status: String?

    @Option(name: .long, help: ArgumentHelp("The service's own reference number.", valueName: "ref"))
    var externalRef: String?

    @Option(name: .long, help: ArgumentHelp("When the service should have acted: 2025-02-07, +14d.", valueName: "when"))
    var deadline: String?

    @Option(name: .long, help: ArgumentHelp("Notes (they replace the referral's notes).", valueName: "text"))
    var notes: String?

    var changes: [String: JSONValue] {
        var changes: [String: JSONValue] = [:]
        let given: [(String, String?)] = [("status", status), ("external_ref", externalRef), ("deadline", deadline), ("notes", notes)]
        for case let (key, value?) in given { changes[key] = .string(value) }
        return changes
    }

    func validate() throws {
        if changes.isEmpty { throw ValidationError("nothing to change; give --status, --external-ref, --deadline or --notes") }
    }

    func run() throws {
        let client = try ControlClient(options)
        let version = try version.number ?? client.referral(id)["version"]?.intValue ?? 0
        let reply = try client.call("io.kawal.Cases.UpdateReferral", changes.merging(["id": .int(id), "version": .int(version)]) { _, key in key })
        if options.printedJSON(reply) { return }
        let referral = reply["referral"] ?? .null
        print("Referral \(text(referral["id"])) of \(text(referral["case_code"])) to \(text(referral["service"])) is \(text(referral["status"])) "
            + "(version \(text(referral["version"]))).")
    }
}
