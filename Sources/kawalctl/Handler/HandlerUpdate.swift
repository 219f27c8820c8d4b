import ArgumentParser
import Varlink

struct HandlerUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a handler's record; fields not given stay as they are.",
        discussion: """
            An empty value clears a field (--email ''); --village replaces the whole list of villages. \
            Without --version, the handler's current version is read and used.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The handler's code.", valueName: "code"))
    var code: String

    @OptionGroup var version: RecordVersion

    @Option(name: .customLong("code"), help: ArgumentHelp("A new code for the handler.", valueName: "code"))
    var newCode: String?

    @OptionGroup var fields: HandlerFields

    var changes: [String: JSONValue] {
        var changes = fields.input
        if let newCode { changes["code"] = .string(newCode) }
        return changes
    }

    func validate() throws {
        if changes.isEmpty { throw ValidationError("nothing to change; give the fields to change, e.g. --phone 081234567890") }
    }

    func run() throws {
        let client = try ControlClient(options)
        let version = try version.number ?? client.handler(code)["version"]?.intValue ?? 0
        let reply = try client.call("io.kawal.Handlers.Update", ["code": .string(code), "version": .int(version), "changes": .object(changes)])
        if options.printedJSON(reply) { return }
        let handler = reply["handler"] ?? .null
        print("Updated handler \(text(handler["code"])): \(text(handler["name"])) (version \(text(handler["version"]))).")
    }
}
