import ArgumentParser
import Varlink

struct HandlerAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a case handler.",
        discussion: "CODE is short and stays: lower-case letters, digits, '-' and '_', starting with a letter (ani, budi-2)."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The handler's code, e.g. ani.", valueName: "code"))
    var code: String

    @OptionGroup var fields: HandlerFields

    func validate() throws {
        if fields.name == nil { throw ValidationError("a handler needs --name, e.g. --name 'Ani Lestari'") }
    }

    func run() throws {
        let client = try ControlClient(options)
        var input = fields.input
        input["code"] = .string(code)
        let reply = try client.call("io.kawal.Handlers.Add", ["handler": .object(input)])
        if options.printedJSON(reply) { return }
        let handler = reply["handler"] ?? .null
        print("Added handler \(text(handler["code"])): \(text(handler["name"])).")
    }
}
