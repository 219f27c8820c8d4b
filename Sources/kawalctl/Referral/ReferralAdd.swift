import ArgumentParser
import Varlink

struct ReferralAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Refer a case to a service, with the person's consent or an override.",
        discussion: """
            Give --consent when the person agreed to the referral, or --override REASON when it must go ahead \
            without their consent; the override and its reason are recorded in the audit log. The deadline is \
            read by kawald in the deployment's time zone (2025-02-07, +14d).
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The case's id or code.", valueName: "case"))
    var reference: CaseReference

    @Option(name: .long, help: ArgumentHelp("The service's code ('kawalctl service list' shows them).", valueName: "code"))
    var service: String

    @Flag(name: .long, help: "The person agreed to the referral.")
    var consent = false

    @Option(name: .long, help: ArgumentHelp("Refer without consent, for this reason (audited).", valueName: "reason"))
    var override: String?

    @Option(name: .long, help: ArgumentHelp("The service's own reference number.", valueName: "ref"))
    var externalRef: String?

    @Option(name: .long, help: ArgumentHelp("When the service should have acted: 2025-02-07, +14d.", valueName: "when"))
    var deadline: String?

    @Option(name: .long, help: ArgumentHelp("Free notes.", valueName: "text"))
    var notes: String?

    func validate() throws {
        switch (consent, override) {
        case (false, nil): throw ValidationError("give --consent (the person agreed) or --override REASON (referring without consent)")
        case (true, _?): throw ValidationError("--consent and --override exclude each other")
        default: break
        }
    }

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = [
            "case_id": .int(try client.caseID(reference)), "service": .string(service), "consent": consent ? "given" : "override",
        ]
        let optional: [(String, String?)] = [("override_reason", override), ("external_ref", externalRef), ("deadline", deadline), ("notes", notes)]
        for case let (key, value?) in optional { parameters[key] = .string(value) }
        let reply = try client.call("io.kawal.Cases.AddReferral", parameters)
        if options.printedJSON(reply) { return }
        let referral = reply["referral"] ?? .null
        let basis = consent ? "with consent" : "without consent (override recorded in the audit log)"
        print("Referred \(text(referral["case_code"])) to \(text(referral["service"])) \(basis): referral \(text(referral["id"])), \(text(referral["status"])).")
    }
}
