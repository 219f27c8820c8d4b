import ArgumentParser
import Varlink

struct ServiceList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the services that cases can be referred to, with their codes."
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.call("io.kawal.Handlers.ListServices")
        if options.printedJSON(reply) { return }
        Table.services(reply["services"]?.arrayValue ?? []).print(ifEmpty: "No services; 'kawalctl service add' adds one.")
    }
}
