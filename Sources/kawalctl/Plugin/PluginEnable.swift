import ArgumentParser
import Varlink

struct PluginEnable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable", abstract: "Start a configured plugin that is disabled (until kawald restarts; set enabled in kawald.toml to keep it).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The plugin's name.")
    var name: String

    func run() throws {
        try setPluginEnabled(options, name, true)
    }
}

struct PluginDisable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Stop a configured plugin and leave it stopped (until kawald restarts). Its jobs wait.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The plugin's name.")
    var name: String

    func run() throws {
        try setPluginEnabled(options, name, false)
    }
}

func setPluginEnabled(_ options: GlobalOptions, _ name: String, _ enabled: Bool) throws {
    let reply = try ControlClient(options).call("io.kawal.Jobs.EnablePlugin", ["name": .string(name), "enabled": .bool(enabled)])
    if options.printedJSON(reply) { return }
    print("Plugin \(name) is \(text(reply["plugin"]?["state"])).")
}
