import ArgumentParser
import Varlink

struct CaseHold: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Place a case under legal hold: retention purge and erasure skip it until the hold is lifted."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The case's id or code.", valueName: "id-or-code"))
    var reference: CaseReference

    @Option(name: .long, help: ArgumentHelp("Why: the court case, police report or request number.", valueName: "text"))
    var reason: String

    func run() throws {
        try Self.set(reference, hold: true, reason: reason, options)
    }

    static func set(_ reference: CaseReference, hold: Bool, reason: String?, _ options: GlobalOptions) throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = ["case_id": .int(try client.caseID(reference)), "hold": .bool(hold)]
        if let reason { parameters["reason"] = .string(reason) }
        let reply = try client.call("io.kawal.Privacy.SetLegalHold", parameters)
        if options.printedJSON(reply) { return }
        print(hold ? "Case \(text(reply["case_code"])) is under legal hold." : "Legal hold lifted from case \(text(reply["case_code"])).")
    }
}
