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
    /// The account the package runs kawald as (packaging/sysusers.d/kawal.conf).
    public static let serviceUser = "kawal"
    /// The shipped import mappings (`kobo-id.toml`), as the package installs them from packaging/import.
    public static let importMappingDirectory = "/usr/share/kawal/import"
    /// kawald's folder for backup snapshots in memory, one per state folder (so that two kawalds of
    /// one user never touch each other's): `/dev/shm/kawal-snapshots-UID-HASH`.
    public static func memorySnapshotDirectory(stateDirectory: String, uid: UInt32) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stateDirectory.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "/dev/shm/kawal-snapshots-\(uid)-" + String(hash, radix: 16)
    }
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
