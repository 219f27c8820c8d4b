import ArgumentParser
import Varlink

struct PluginRestart: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart", abstract: "Stop a configured plugin (ask, wait, then kill) and start it again; also one marked failed.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The plugin's name.")
    var name: String

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Jobs.RestartPlugin", ["name": .string(name)])
        if options.printedJSON(reply) { return }
        print("Restarting plugin \(name).")
    }
}
