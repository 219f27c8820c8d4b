import ArgumentParser
import Varlink

struct ServiceAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a service to the directory.",
        discussion: "CODE is what referrals name: lower-case letters, digits, '-' and '_' (dukcapil-lotim)."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The service's code, e.g. dukcapil-lotim.", valueName: "code"))
    var code: String

    @Option(name: .long, help: "Its full name, e.g. 'Dukcapil Lombok Timur'.")
    var name: String

    @Option(name: .long, help: ArgumentHelp("\(Choice.serviceKind.list).", valueName: "kind"), transform: Choice.serviceKind.parse)
    var kind: String

    @Option(name: .long, help: ArgumentHelp("How to reach it: an address, a phone number, a contact person.", valueName: "text"))
    var contact: String?

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = ["code": .string(code), "name": .string(name), "kind": .string(kind)]
        if let contact { parameters["contact"] = .string(contact) }
        let reply = try client.call("io.kawal.Handlers.AddService", parameters)
        if options.printedJSON(reply) { return }
        let service = reply["service"] ?? .null
        print("Added service \(text(service["code"])): \(text(service["name"])) (\(text(service["kind"]))).")
    }
}
