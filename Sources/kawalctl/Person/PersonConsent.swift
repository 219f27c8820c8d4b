import ArgumentParser
import Varlink

struct PersonConsent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Record that a person gave or refused consent for a purpose.",
        discussion: """
            Consent records are kept, never changed: a later answer is a new record. Purposes are words such \
            as data_processing, referral or contact_sms; the method says how the answer was given: written, \
            verbal, thumbprint, guardian.
            """
    )

    enum Answer: String, EnumerableFlag {
        case granted, refused

        static func help(for value: Answer) -> ArgumentHelp? {
            value == .granted ? "The person agreed." : "The person said no."
        }
    }

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The person's id.")
    var id: Int64

    @Option(name: .long, help: ArgumentHelp("What the consent is for, e.g. data_processing, referral, contact_sms.", valueName: "purpose"))
    var purpose: String

    @Flag var answer: Answer

    @Option(name: .long, help: ArgumentHelp("How it was given: written, verbal, thumbprint, guardian.", valueName: "method"))
    var method: String

    @Option(name: .long, help: ArgumentHelp("A note, e.g. who witnessed it.", valueName: "text"))
    var note: String?

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = [
            "person_id": .int(id), "purpose": .string(purpose), "granted": .bool(answer == .granted), "method": .string(method),
        ]
        if let note { parameters["note"] = .string(note) }
        let reply = try client.call("io.kawal.People.RecordConsent", parameters)
        if options.printedJSON(reply) { return }
        let consent = reply["consent"] ?? .null
        print("Recorded for person \(id): \(text(consent["purpose"])) \(answer.rawValue) (\(text(consent["method"])), consent \(text(consent["id"])))")
    }
}
