import ArgumentParser
import Varlink

struct PluginList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the plugins: state, capabilities, restarts, jobs done.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Jobs.Plugins")
        if options.printedJSON(reply) { return }
        Table.plugins(reply["plugins"]?.arrayValue ?? []).print(ifEmpty: "No plugins; add [plugins.NAME] sections to kawald.toml.")
    }
}
