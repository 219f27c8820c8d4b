import ArgumentParser
import Varlink

struct FollowUpDone: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "done",
        abstract: "Record what happened to a planned follow-up: done, missed (--missed) or cancelled (--cancel).",
        discussion: """
            A missed follow-up can be tried again: --retry WHEN plans the next attempt (2025-02-07T09:00, \
            tomorrow, +2d). Case handlers record the follow-ups of their own cases. Without --version, the \
            follow-up's current version is read and used.
            """
    )

    enum Contact: EnumerableFlag {
        case contactMade, noContact

        static func help(for value: Contact) -> ArgumentHelp? {
            value == .contactMade ? "The person was reached." : "The person could not be reached."
        }
    }

    enum Ending: EnumerableFlag {
        case missed, cancel

        static func help(for value: Ending) -> ArgumentHelp? {
            value == .missed ? "It did not happen (record it as missed)." : "It is no longer needed (record it as cancelled)."
        }
    }

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The follow-up's id ('kawalctl followup list' shows them).")
    var id: Int64

    @OptionGroup var version: RecordVersion

    @Option(name: .long, help: ArgumentHelp("What came of it.", valueName: "text"))
    var outcome: String?

    @Flag var contact: Contact?

    @Option(name: .long, help: ArgumentHelp("Notes (they replace the follow-up's notes).", valueName: "text"))
    var notes: String?

    @Flag var ending: Ending?

    @Option(name: .long, help: ArgumentHelp("With --missed: plan the next attempt for this time.", valueName: "when"))
    var retry: String?

    func validate() throws {
        if retry != nil && ending != .missed { throw ValidationError("--retry plans a new attempt after a missed follow-up; add --missed") }
    }

    var status: String {
        switch ending {
        case nil: return "done"
        case .missed?: return "missed"
        case .cancel?: return "cancelled"
        }
    }

    func run() throws {
        let client = try ControlClient(options)
        let version = try version.number ?? client.plannedFollowUp(id)["version"]?.intValue ?? 0
        var parameters: [String: JSONValue] = ["id": .int(id), "version": .int(version), "status": .string(status)]
        if let outcome { parameters["outcome"] = .string(outcome) }
        if let contact { parameters["contact_made"] = .bool(contact == .contactMade) }
        if let notes { parameters["notes"] = .string(notes) }
        if let retry { parameters["retry_due"] = .string(retry) }
        let reply = try client.call("io.kawal.Cases.RecordFollowUp", parameters)
        if options.printedJSON(reply) { return }
        let recorded = reply["followup"] ?? .null
        print("Follow-up \(text(recorded["id"])) of \(text(recorded["case_code"])) (\(text(recorded["kind"]))) recorded as \(text(recorded["status"])).")
        if let next = reply["retry"], next != .null {
            print("Attempt \(text(next["attempt"])) is planned as follow-up \(text(next["id"])), due \(shownTime(next["due_at"])).")
        }
    }
}
