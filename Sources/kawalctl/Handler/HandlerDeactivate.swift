import ArgumentParser
import Varlink

struct HandlerDeactivate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deactivate",
        abstract: "Mark a handler as no longer active; their open cases go to another handler, or to nobody.",
        discussion: "Without --reassign-to, their open cases are left without a handler. Without --version, the current one is used."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The handler's code.", valueName: "code"))
    var code: String

    @Option(name: .long, help: ArgumentHelp("The handler who takes over their open cases (a handler code).", valueName: "code"))
    var reassignTo: String?

    @OptionGroup var version: RecordVersion

    func run() throws {
        let client = try ControlClient(options)
        let version = try version.number ?? client.handler(code)["version"]?.intValue ?? 0
        var parameters: [String: JSONValue] = ["code": .string(code), "version": .int(version)]
        if let reassignTo { parameters["reassign_to"] = .string(reassignTo) }
        let reply = try client.call("io.kawal.Handlers.Deactivate", parameters)
        if options.printedJSON(reply) { return }
        let moved = Int(reply["reassigned_cases"]?.intValue ?? 0)
        let destination = reassignTo.map { "moved to \($0)" } ?? "left without a handler"
        print("Deactivated handler \(code); \(counted(moved, "open case")) \(destination).")
    }
}
