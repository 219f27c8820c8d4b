import ArgumentParser
import Varlink

struct HandlerList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the case handlers, with their open cases.",
        discussion: "Phone numbers and e-mail addresses are printed only with --json."
    )

    enum Activity: EnumerableFlag {
        case active, inactive

        static func help(for value: Activity) -> ArgumentHelp? {
            value == .active ? "Only active handlers." : "Only deactivated handlers."
        }
    }

    @OptionGroup var options: GlobalOptions

    @Flag var activity: Activity?

    func run() throws {
        let client = try ControlClient(options)
        let parameters: [String: JSONValue] = activity.map { ["active": .bool($0 == .active)] } ?? [:]
        let reply = try client.call("io.kawal.Handlers.List", parameters)
        if options.printedJSON(reply) { return }
        Table.handlers(reply["handlers"]?.arrayValue ?? []).print(ifEmpty: "No handlers found; 'kawalctl handler add' adds one.")
    }
}
