import ArgumentParser
import Varlink

struct Plugin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "See and control the plugins that carry out jobs (e-mail, SMS, webhooks, backups).",
        discussion: """
            Configured plugins ([plugins.NAME] in kawald.toml) are started and restarted by kawald; one that keeps \
            failing is marked failed and left alone until 'kawalctl plugin restart NAME'. External plugins connect \
            to plugins.sock by themselves.
            """,
        subcommands: [PluginList.self, PluginStatus.self, PluginRestart.self, PluginEnable.self, PluginDisable.self]
    )
}

extension Table {
    static func plugins(_ items: [JSONValue]) -> Table {
        var table = Table(["NAME", "STATE", "ORIGIN", "VERSION", "CAPABILITIES", "PID", "RESTARTS", "DONE", "FAILED"])
        for plugin in items {
            table.append([text(plugin["name"]), text(plugin["state"]), text(plugin["origin"]), text(plugin["version"]),
                          shownList(plugin["capabilities"]), text(plugin["pid"]), text(plugin["restarts"]), text(plugin["jobs_done"]),
                          text(plugin["jobs_failed"])])
        }
        return table
    }

    static func plugin(_ plugin: JSONValue) -> Table {
        .fields([
            ("Plugin", text(plugin["name"])), ("State", text(plugin["state"])), ("Origin", text(plugin["origin"])),
            ("Version", text(plugin["version"])), ("Capabilities", shownList(plugin["capabilities"])), ("PID", text(plugin["pid"])),
            ("Restarts", text(plugin["restarts"])), ("Jobs done", text(plugin["jobs_done"])), ("Jobs failed", text(plugin["jobs_failed"])),
            ("Last error", text(plugin["last_error"])),
        ])
    }
}

/// Finds one plugin by name in io.kawal.Jobs.Plugins.
func fetchPlugin(_ client: ControlClient, _ name: String) throws -> JSONValue {
    let plugins = try client.call("io.kawal.Jobs.Plugins")["plugins"]?.arrayValue ?? []
    guard let plugin = plugins.first(where: { $0["name"]?.stringValue == name }) else {
        throw CommandFailure(code: .daemonError, message: "no plugin named '\(name)'; 'kawalctl plugin list' shows them")
    }
    return plugin
}
