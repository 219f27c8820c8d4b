import ArgumentParser
import Varlink

struct ReferralList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List referrals, oldest first.",
        discussion: "The options narrow the list and combine. Case handlers see the referrals of their own cases."
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .customLong("case"), help: ArgumentHelp("Only the referrals of this case (id or code).", valueName: "case"))
    var reference: CaseReference?

    @Option(name: .long, help: ArgumentHelp("Only referrals to this service (a service code).", valueName: "code"))
    var service: String?

    @Option(name: .long, help: ArgumentHelp("Only referrals in this status: \(Choice.referralStatus.list).", valueName: "status"),
            transform: Choice.referralStatus.parse)
    var status: String?

    @OptionGroup var paging: Paging

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = [:]
        if let reference { parameters["case_id"] = .int(try client.caseID(reference)) }
        if let service { parameters["service"] = .string(service) }
        if let status { parameters["status"] = .string(status) }
        let reply = try client.list("io.kawal.Cases.ListReferrals", parameters, items: "referrals", paging: paging)
        if options.printedJSON(reply) { return }
        Table.referrals(reply["referrals"]?.arrayValue ?? []).print(ifEmpty: "No referrals found.")
        paging.printContinuation(of: reply)
    }
}
