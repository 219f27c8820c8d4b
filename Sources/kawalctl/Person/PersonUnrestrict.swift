import ArgumentParser
import Varlink

struct PersonUnrestrict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unrestrict",
        abstract: "Lift the restriction on processing a person's data."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The person's id.")
    var id: Int64

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.call("io.kawal.Privacy.Unrestrict", ["id": .int(id)])
        if options.printedJSON(reply) { return }
        print("Processing of person \(id)'s data is no longer restricted.")
    }
}
