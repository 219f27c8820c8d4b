import ArgumentParser
import Varlink

struct PluginStatus: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show one plugin, with why it last failed.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The plugin's name.")
    var name: String

    func run() throws {
        let plugin = try fetchPlugin(try ControlClient(options), name)
        if options.printedJSON(["plugin": plugin]) { return }
        Table.plugin(plugin).print()
    }
}
