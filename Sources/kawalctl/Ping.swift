import ArgumentParser
import Varlink

struct Ping: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ping", abstract: "Check that kawald answers, and how fast.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let client = try ControlClient(options)
        let start = monotonicSeconds()
        _ = try client.call("io.kawal.Daemon.Ping")
        let milliseconds = (monotonicSeconds() - start) * 1000
        if options.json {
            print(JSONValue.object(["pong": true, "socket": .string(client.connection.path), "round_trip_ms": .double(milliseconds)]).prettyPrinted())
        } else {
            print("pong from kawald at \(client.connection.path) in \(formatMilliseconds(milliseconds))")
        }
    }
}

func formatMilliseconds(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) ms"
}
