import ArgumentParser
import Varlink

struct HandlerReassign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reassign",
        abstract: "Move every open case of one handler to another.",
        discussion: "Each moved case gets an entry in its history. Closed, resolved and withdrawn cases stay where they are."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The handler whose open cases move.", valueName: "from"))
    var from: String

    @Argument(help: ArgumentHelp("The handler who takes them.", valueName: "to"))
    var to: String

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.call("io.kawal.Handlers.Reassign", ["from": .string(from), "to": .string(to)])
        if options.printedJSON(reply) { return }
        print("Moved \(counted(Int(reply["reassigned_cases"]?.intValue ?? 0), "open case")) from \(from) to \(to).")
    }
}
