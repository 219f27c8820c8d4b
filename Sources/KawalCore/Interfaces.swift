import Varlink

/// The varlink interfaces of kawald, from the `.varlink` files in `Interfaces/`.
public enum KawalInterfaces {
    public static let common = load(PackageResources.io_kawal_varlink)
    public static let daemon = load(PackageResources.io_kawal_Daemon_varlink)
    public static let people = load(PackageResources.io_kawal_People_varlink)
    public static let cases = load(PackageResources.io_kawal_Cases_varlink)
    public static let handlers = load(PackageResources.io_kawal_Handlers_varlink)
    public static let audit = load(PackageResources.io_kawal_Audit_varlink)
    public static let imports = load(PackageResources.io_kawal_Import_varlink)
    public static let jobs = load(PackageResources.io_kawal_Jobs_varlink)
    public static let events = load(PackageResources.io_kawal_Events_varlink)
    public static let backup = load(PackageResources.io_kawal_Backup_varlink)
    public static let reminders = load(PackageResources.io_kawal_Reminders_varlink)
    public static let messages = load(PackageResources.io_kawal_Messages_varlink)
    public static let reports = load(PackageResources.io_kawal_Reports_varlink)
    public static let privacy = load(PackageResources.io_kawal_Privacy_varlink)
    /// Served by kawald on plugin connections.
    public static let plugin = load(PackageResources.io_kawal_Plugin_varlink)
    /// Served by kawald on the plugin socket to inbound plugins (SMS and chat messages from handlers).
    public static let inbound = load(PackageResources.io_kawal_Inbound_varlink)
    /// Served by plugins, called by kawald.
    public static let pluginJobs = load(PackageResources.io_kawal_PluginJobs_varlink)

    public static var all: [VarlinkInterface] { [common, daemon, people, cases, handlers, audit, jobs, events, imports, backup, reminders, messages, reports, privacy] }

    /// The plugin protocol versions this kawald speaks.
    public static let pluginProtocolVersions: [Int64] = [1]

    /// The protocol version of the io.kawal interfaces; raised when a change is not backwards compatible.
    public static let protocolVersion = 1

    private static func load(_ bytes: [UInt8]) -> VarlinkInterface {
        do {
            return try VarlinkInterface(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            // The files ship inside the binary and are parsed by the tests; failing here is a build defect.
            fatalError("embedded interface description is invalid: \(error)")
        }
    }
}
