import ArgumentParser
import KawalCore
import Varlink

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show the versions of kawalctl and of the running kawald.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.call("io.kawal.Daemon.Version")
        let daemonVersion = reply["version"]?.stringValue ?? "?"
        let protocolVersion = reply["protocol_version"]?.intValue ?? 0
        if options.json {
            print(JSONValue.object([
                "kawalctl": .string(KawalDefaults.version), "kawald": .string(daemonVersion),
                "protocol_version": .int(protocolVersion),
            ]).prettyPrinted())
        } else {
            print("kawalctl \(KawalDefaults.version)")
            print("kawald   \(daemonVersion) (protocol \(protocolVersion))")
            if protocolVersion != KawalInterfaces.protocolVersion {
                writeStandardError("kawalctl: kawald speaks protocol \(protocolVersion), kawalctl \(KawalInterfaces.protocolVersion); install matching versions")
            }
        }
    }
}
