/// Where things are when nobody says otherwise.
public enum KawalDefaults {
    public static let configPath = "/etc/kawal/kawald.toml"
    public static let stateDirectory = "/var/lib/kawal"
    public static let runtimeDirectory = "/run/kawal"
    public static let controlSocketName = "control.sock"
    public static let pluginSocketName = "plugins.sock"
    /// `kawalctl` looks here unless `--socket` or `KAWAL_SOCKET` says otherwise.
    public static var controlSocketPath: String { runtimeDirectory + "/" + controlSocketName }
    public static let version = "0.1.0"
    /// The shipped import mappings (`kobo-id.toml`), as the package installs them from packaging/import.
    public static let importMappingDirectory = "/usr/share/kawal/import"
}

/// Exit codes of kawalctl, documented in `kawalctl --help` and docs/kawalctl.md.
public enum KawalExitCode: Int32, Sendable {
    case ok = 0
    /// kawald answered with an error (refused, invalid, not found).
    case daemonError = 1
    /// The command line was wrong.
    case usage = 2
    /// kawald could not be reached.
    case unreachable = 3
}
