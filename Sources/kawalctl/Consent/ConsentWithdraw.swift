import ArgumentParser
import Varlink

struct ConsentWithdraw: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw",
        abstract: "Record that a consent was withdrawn (from now on it no longer counts)."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The consent's id ('consent list' shows them).")
    var id: Int64

    @Option(name: .long, help: ArgumentHelp("Why, or how the person said so.", valueName: "text"))
    var reason: String?

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = ["id": .int(id)]
        if let reason { parameters["reason"] = .string(reason) }
        let reply = try client.call("io.kawal.Privacy.WithdrawConsent", parameters)
        if options.printedJSON(reply) { return }
        print("Consent \(id) withdrawn at \(shownTime(reply["consent"]?["withdrawn_at"])).")
    }
}
