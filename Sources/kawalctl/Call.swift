import ArgumentParser
import Varlink

struct Call: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call any varlink method of kawald and print the reply.",
        discussion: """
            METHOD is fully qualified (io.kawal.Daemon.Status). PARAMETERS is a JSON object; '-' reads it from \
            standard input. Replies are printed as JSON; with --more, each reply as it arrives.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The method, e.g. io.kawal.Daemon.Ping.")
    var method: String

    @Argument(help: "Parameters as a JSON object, or '-' for standard input.")
    var parameters: String?

    @Flag(name: .long, help: "Ask for several replies and print each as it arrives.")
    var more = false

    @Flag(name: .long, help: "Send the call without waiting for a reply.")
    var oneway = false

    func validate() throws {
        guard method.contains(".") else {
            throw ValidationError("'\(method)' is not a fully qualified method name; expected INTERFACE.Method, e.g. io.kawal.Daemon.Ping")
        }
        if more && oneway { throw ValidationError("--more and --oneway exclude each other") }
    }

    func run() throws {
        let arguments = try parsedParameters()
        let client = try ControlClient(options)
        if oneway {
            do {
                try client.connection.send(VarlinkCall(method: method, parameters: arguments, oneway: true))
            } catch {
                throw client.map(error)
            }
            return
        }
        if more {
            try client.callMore(method, arguments) { reply in print(JSONValue.object(reply).prettyPrinted()) }
        } else {
            print(JSONValue.object(try client.call(method, arguments)).prettyPrinted())
        }
    }

    func parsedParameters() throws -> [String: JSONValue] {
        guard let parameters else { return [:] }
        let text = parameters == "-" ? readStandardInput() : parameters
        let value: JSONValue
        do {
            value = try JSONValue(parsing: text)
        } catch {
            throw ValidationError("PARAMETERS is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw ValidationError("PARAMETERS must be a JSON object like '{\"interface\": \"io.kawal.Daemon\"}', not \(value.kindName)")
        }
        return object
    }

    func readStandardInput() -> String {
        var lines: [String] = []
        while let line = readLine(strippingNewline: false) { lines.append(line) }
        return lines.joined()
    }
}
