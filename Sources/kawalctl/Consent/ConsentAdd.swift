import ArgumentParser
import Varlink

struct ConsentAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Record a consent in the register.",
        discussion: """
            Example: kawalctl consent add 12 --purpose referral --method written --proof FORM-2025-031 \
            --given-by guardian --guardian "Ahmad (ayah)"
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The person's id.")
    var person: Int64

    @Option(name: .long, help: ArgumentHelp("What it is for: data_processing, referral, referral:SERVICE, data_sharing, contact_sms.", valueName: "purpose"))
    var purpose: String

    @Option(name: .long, help: ArgumentHelp("written or recorded.", valueName: "method"))
    var method: String

    @Option(name: .long, help: ArgumentHelp("The day it was given (default today): 2025-02-07 or 07/02/2025.", valueName: "date"))
    var date: String?

    @Option(name: .long, help: ArgumentHelp("self (default) or guardian; a child under 18 needs a guardian.", valueName: "who"))
    var givenBy: String?

    @Option(name: .long, help: ArgumentHelp("The guardian's name, when a guardian gave it.", valueName: "name"))
    var guardian: String?

    @Option(name: .long, help: ArgumentHelp("Where the proof is: a form number, a recording's file name.", valueName: "reference"))
    var proof: String?

    @Option(name: .long, help: ArgumentHelp("A note, e.g. who witnessed it.", valueName: "text"))
    var note: String?

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = ["person_id": .int(person), "purpose": .string(purpose), "method": .string(method)]
        for case let (key, value?) in [("given_on", date), ("given_by", givenBy ?? (guardian != nil ? "guardian" : nil)),
                                       ("guardian_name", guardian), ("proof_ref", proof), ("note", note)] {
            parameters[key] = .string(value)
        }
        let reply = try client.call("io.kawal.Privacy.AddConsent", parameters)
        if options.printedJSON(reply) { return }
        let consent = reply["consent"] ?? .null
        print("Consent \(text(consent["id"])) recorded for person \(person): \(text(consent["purpose"])), \(text(consent["method"])), given by \(text(consent["given_by"])) on \(text(consent["given_on"])).")
    }
}
