import ArgumentParser
import Varlink

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print kawald's metrics in the Prometheus text format.",
        discussion: """
            The same text kawald writes to its [metrics] textfile for node_exporter: requests and latency per \
            method, jobs by state, plugin restarts, reminders per channel, backups. Needs an administrator. \
            With --json: {"text": "..."}.
            """
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.call("io.kawal.Daemon.Metrics")
        let text = reply["text"]?.stringValue ?? ""
        if options.json {
            print(JSONValue.object(["text": .string(text)]).prettyPrinted())
        } else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}
