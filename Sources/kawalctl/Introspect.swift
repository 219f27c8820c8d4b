import ArgumentParser
import Varlink

struct Introspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "introspect",
        abstract: "List kawald's interfaces, or print one interface's description.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "An interface, e.g. io.kawal.Daemon. Without it, all interfaces are listed.")
    var interface: String?

    func run() throws {
        let client = try ControlClient(options)
        if let interface {
            let reply = try client.call("org.varlink.service.GetInterfaceDescription", ["interface": .string(interface)])
            let description = reply["description"]?.stringValue ?? ""
            if options.json {
                var result: [String: JSONValue] = ["interface": .string(interface), "description": .string(description)]
                if let parsed = try? VarlinkInterface(parsing: description) {
                    result["methods"] = .array(parsed.memberOrder.filter { parsed.methods[$0] != nil }.map { .string($0) })
                    result["errors"] = .array(parsed.memberOrder.filter { parsed.errors[$0] != nil }.map { .string($0) })
                    result["types"] = .array(parsed.memberOrder.filter { parsed.types[$0] != nil }.map { .string($0) })
                }
                print(JSONValue.object(result).prettyPrinted())
            } else {
                print(description, terminator: description.hasSuffix("\n") ? "" : "\n")
            }
            return
        }
        let info = try client.call("org.varlink.service.GetInfo")
        if options.json {
            print(JSONValue.object(info).prettyPrinted())
            return
        }
        print("\(text(info["product"])) \(text(info["version"])) (\(text(info["vendor"])))")
        for name in info["interfaces"]?.arrayValue ?? [] {
            print("  \(text(name))")
        }
    }
}
