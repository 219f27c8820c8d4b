import KawalCalendar
import KawalCore
import KawalStore
import Varlink
import Logging
import TOMLKit
#if canImport(Glibc)
import Glibc
#endif

/// kawald's settings, from `kawald.toml`.
///
/// ```toml
/// [daemon]
/// state_dir = "/var/lib/kawal"
/// runtime_dir = "/run/kawal"
/// time_zone = "Asia/Makassar"
/// log_level = "info"
///
/// [access]
/// admin_group = "kawal-admin"
/// handler_group = "kawal"
/// plugin_group = "kawal-plugin"
///
/// [control]
/// max_message_size = 8388608
///
/// [metrics]
/// textfile = "/run/kawal/metrics/kawal.prom"
/// interval = "60s"
/// ```
public struct Configuration: Sendable, Equatable {
    public var stateDirectory = KawalDefaults.stateDirectory
    public var runtimeDirectory = KawalDefaults.runtimeDirectory
    /// The deployment's zone for calendar schedules and reports; Lombok is on WITA.
    public var timeZone = "Asia/Makassar"
    public var logLevel: Logger.Level = .info
    public var adminGroup = "kawal-admin"
    public var handlerGroup = "kawal"
    public var pluginGroup = "kawal-plugin"
    public var maximumMessageSize = 8 * 1024 * 1024
    public var scheduler = SchedulerSettings()
    /// Plugins kawald starts and supervises, by name.
    public var plugins: [PluginSettings] = []
    /// Recurring jobs on calendar schedules, by name.
    public var timers: [TimerSettings] = []
    /// Encrypted backups (`[backup]`); nil when not configured.
    public var backup: BackupSettings?
    /// Follow-up plans, reminders and admin alerts ([reminders], [plans.NAME], [alerts]).
    public var reminders = ReminderSettings()
    /// Handlers' messages from their phones (`[inbound]`).
    public var inbound = InboundSettings()
    /// De-identified reports: small-cell threshold and the monthly report's recipients.
    public var reports = ReportSettings()
    /// How long finished cases keep their personal data, per case type.
    public var retention = RetentionPolicy()
    public var metrics = MetricsSettings()

    public init() {}

    /// The settings that apply only when kawald starts.
    static let restartOnlyKeys: Set<String> = [
        "daemon.state_dir", "daemon.runtime_dir", "daemon.time_zone", "control.max_message_size", "access.plugin_group",
        "scheduler", "plugins", "timers", "backup", "reminders", "metrics", "inbound",
    ]

    /// The keys whose values differ between two configurations, as `table.key`.
    public func changedKeys(from old: Configuration) -> [String] {
        var changed: [String] = []
        if stateDirectory != old.stateDirectory { changed.append("daemon.state_dir") }
        if runtimeDirectory != old.runtimeDirectory { changed.append("daemon.runtime_dir") }
        if timeZone != old.timeZone { changed.append("daemon.time_zone") }
        if logLevel != old.logLevel { changed.append("daemon.log_level") }
        if adminGroup != old.adminGroup { changed.append("access.admin_group") }
        if handlerGroup != old.handlerGroup { changed.append("access.handler_group") }
        if pluginGroup != old.pluginGroup { changed.append("access.plugin_group") }
        if maximumMessageSize != old.maximumMessageSize { changed.append("control.max_message_size") }
        if scheduler != old.scheduler { changed.append("scheduler") }
        if plugins != old.plugins { changed.append("plugins") }
        if timers != old.timers { changed.append("timers") }
        if backup != old.backup { changed.append("backup") }
        if reminders != old.reminders { changed.append("reminders") }
        if inbound != old.inbound { changed.append("inbound") }
        if reports != old.reports { changed.append("reports") }
        if retention != old.retention { changed.append("retention") }
        if metrics != old.metrics { changed.append("metrics") }
        return changed
    }

    public static func restartNeeded(for changed: [String]) -> [String] {
        changed.filter { restartOnlyKeys.contains($0) }
    }
}

/// How jobs are scheduled, leased and retried.
public struct SchedulerSettings: Sendable, Equatable {
    /// Occurrences missed for longer than this are marked stale and reported, not fired one by one.
    public var stalenessWindow: Double = 7 * 86_400
    /// How long a plugin has to settle a job before it is offered again.
    public var lease: Double = 60
    public var maxAttempts = 8
    /// Retries wait retry_base, then twice that, and so on, up to retry_cap.
    public var retryBase: Double = 10
    public var retryCap: Double = 3600
    /// An idle plugin is pinged this often, and one that does not answer is restarted; nil (the
    /// default, "never"): idle means idle. A plugin that exits or closes its connection is noticed
    /// at once anyway, and one that hangs when its next job's lease runs out.
    public var pluginPing: Double?
    /// A started plugin must register within this time.
    public var pluginHandshakeTimeout: Double = 10
    /// A plugin that fails this many times within `pluginCrashWindow` is marked failed, not restarted.
    public var pluginCrashLimit = 5
    public var pluginCrashWindow: Double = 300
    /// A finished job keeps its payload (for a notification: address, first name, text) this long.
    public var finishedJobPayloads: Double = 30 * 86_400
}

/// A recurring job: `[timers.NAME]` with a systemd calendar expression (`on_calendar`), read in the
/// deployment's time zone unless it names its own.
public struct TimerSettings: Sendable, Equatable {
    public var name: String
    public var onCalendar: String
    public var kind: String
    public var payload = "{}"
    public var enabled = true

    public init(name: String, onCalendar: String, kind: String) {
        self.name = name
        self.onCalendar = onCalendar
        self.kind = kind
    }
}

/// `[metrics]`: where and how often kawald writes its metrics for node_exporter's textfile collector.
public struct MetricsSettings: Sendable, Equatable {
    /// Absolute path of the `.prom` file; nil (the default) writes none, and kawald does not wake up for it.
    public var textfile: String?
    public var interval: Double = 60
}

/// A plugin kawald starts: `[plugins.NAME]`.
public struct PluginSettings: Sendable, Equatable {
    public var name: String
    public var exec: String
    public var arguments: [String] = []
    public var environment: [String: String] = [:]
    public var enabled = true

    public init(name: String, exec: String) {
        self.name = name
        self.exec = exec
    }
}

/// A configuration file that cannot be used, and where: `kawald.toml:12: daemon.log_level: expected one of …`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var key: String
    public var message: String

    public var description: String {
        key.isEmpty ? "\(file):\(line): \(message)" : "\(file):\(line): \(key): \(message)"
    }
}

extension Configuration {
    /// Where the configuration came from: a file, or the built-in defaults.
    public enum Source: Sendable, Equatable {
        case file(String)
        case defaults
    }

    /// Reads `path`. When `path` is the default and does not exist, the built-in defaults apply;
    /// a file named explicitly must exist.
    public static func load(path: String, explicit: Bool) throws(ConfigurationError) -> (Configuration, Source) {
        guard let text = readFile(path) else {
            if !explicit && errno == ENOENT { return (Configuration(), .defaults) }
            throw ConfigurationError(file: path, line: 0, key: "", message: "cannot read the file: \(String(cString: strerror(errno)))")
        }
        return (try parse(text, file: path), .file(path))
    }

    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> Configuration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, line: error.source.begin.line, key: "",
                                     message: "column \(error.source.begin.column): not valid TOML: \(error.description)")
        } catch {
            throw ConfigurationError(file: file, line: 1, key: "", message: "not valid TOML: \(error)")
        }
        let reader = TableReader(file: file, text: text)
        var config = Configuration()
        try reader.checkTables(table, known: ["daemon", "access", "control", "scheduler", "plugins", "timers", "backup", "reports", "retention", "metrics", "inbound"]
                               + reminderTables)

        if let daemon = try reader.table(table, "daemon", known: ["state_dir", "runtime_dir", "time_zone", "log_level"]) {
            if let value = try reader.path(daemon, "daemon", "state_dir") { config.stateDirectory = value }
            if let value = try reader.path(daemon, "daemon", "runtime_dir") { config.runtimeDirectory = value }
            if let value = try reader.string(daemon, "daemon", "time_zone") {
                guard isKnownTimeZone(value) else {
                    throw reader.error("daemon", "time_zone", "unknown time zone '\(value)': expected an IANA name from /usr/share/zoneinfo such as Asia/Makassar (WITA), Asia/Jakarta (WIB) or UTC")
                }
                config.timeZone = value
            }
            if let value = try reader.string(daemon, "daemon", "log_level") {
                guard let level = Logger.Level(rawValue: value) else {
                    throw reader.error("daemon", "log_level", "'\(value)' is not a log level: expected one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                config.logLevel = level
            }
        }
        if let access = try reader.table(table, "access", known: ["admin_group", "handler_group", "plugin_group"]) {
            for (key, keyPath) in [("admin_group", \Configuration.adminGroup), ("handler_group", \.handlerGroup), ("plugin_group", \.pluginGroup)] {
                if let value = try reader.string(access, "access", key) {
                    guard isValidGroupName(value) else {
                        throw reader.error("access", key, "'\(value)' is not a group name: expected lower-case letters, digits, '-' and '_', starting with a letter or '_'")
                    }
                    config[keyPath: keyPath] = value
                }
            }
        }
        if let control = try reader.table(table, "control", known: ["max_message_size"]) {
            if let value = try reader.int(control, "control", "max_message_size") {
                guard (1024...(256 * 1024 * 1024)).contains(value) else {
                    throw reader.error("control", "max_message_size", "\(value) is out of range: expected a size in bytes from 1024 to 268435456")
                }
                config.maximumMessageSize = value
            }
        }
        if let scheduler = try reader.table(table, "scheduler", known: ["staleness_window", "lease", "max_attempts", "retry_base", "retry_cap", "plugin_ping", "plugin_handshake_timeout",
                                                                   "plugin_crash_limit", "plugin_crash_window", "finished_job_payloads"]) {
            if let value = try reader.duration(scheduler, "scheduler", "finished_job_payloads") {
                guard value >= 3600 else {
                    throw reader.error("scheduler", "finished_job_payloads", "\(Int(value)) s is too short: expected at least \"1h\" (the default is \"30d\")")
                }
                config.scheduler.finishedJobPayloads = value
            }
            if let value = try reader.duration(scheduler, "scheduler", "plugin_crash_window") { config.scheduler.pluginCrashWindow = value }
            if let value = try reader.int(scheduler, "scheduler", "plugin_crash_limit") {
                guard (1...1000).contains(value) else { throw reader.error("scheduler", "plugin_crash_limit", "\(value) is out of range: expected 1 to 1000") }
                config.scheduler.pluginCrashLimit = value
            }
            if try reader.string(scheduler, "scheduler", "plugin_ping") == "never" {
                config.scheduler.pluginPing = nil
            } else if let value = try reader.duration(scheduler, "scheduler", "plugin_ping") {
                config.scheduler.pluginPing = value
            }
            if let value = try reader.duration(scheduler, "scheduler", "plugin_handshake_timeout") { config.scheduler.pluginHandshakeTimeout = value }
            if let value = try reader.duration(scheduler, "scheduler", "staleness_window") { config.scheduler.stalenessWindow = value }
            if let value = try reader.duration(scheduler, "scheduler", "lease") { config.scheduler.lease = value }
            if let value = try reader.duration(scheduler, "scheduler", "retry_base") { config.scheduler.retryBase = value }
            if let value = try reader.duration(scheduler, "scheduler", "retry_cap") { config.scheduler.retryCap = value }
            if let value = try reader.int(scheduler, "scheduler", "max_attempts") {
                guard (1...100).contains(value) else { throw reader.error("scheduler", "max_attempts", "\(value) is out of range: expected 1 to 100") }
                config.scheduler.maxAttempts = value
            }
        }
        if let metrics = try reader.table(table, "metrics", known: ["textfile", "interval"]) {
            if let value = try reader.path(metrics, "metrics", "textfile") {
                guard value.hasSuffix(".prom") else {
                    throw reader.error("metrics", "textfile", "'\(value)' does not end in .prom: node_exporter's textfile collector reads only *.prom files")
                }
                config.metrics.textfile = value
            }
            if let value = try reader.duration(metrics, "metrics", "interval") {
                guard value >= 1 else { throw reader.error("metrics", "interval", "'\(value)s' is too short: expected at least \"1s\"") }
                config.metrics.interval = value
            }
        }
        if let plugins = table["plugins"] {
            guard let plugins = plugins.table else { throw reader.error("plugins", "", "expected tables [plugins.NAME]") }
            for name in plugins.keys.sorted() {
                let section = "plugins.\(name)"
                guard Self.isValidGroupName(name) else {
                    throw reader.error(section, "", "'\(name)' is not a plugin name: expected lower-case letters, digits, '-' and '_'")
                }
                guard let plugin = try reader.table(plugins, section, key: name, known: ["exec", "args", "env", "enabled"]) else { continue }
                guard let exec = try reader.path(plugin, section, "exec") else {
                    throw reader.error(section, "", "a plugin needs 'exec', the absolute path of its program")
                }
                var settings = PluginSettings(name: name, exec: exec)
                settings.arguments = try reader.strings(plugin, section, "args") ?? []
                settings.environment = try reader.stringTable(plugin, section, "env") ?? [:]
                if let enabled = plugin["enabled"] {
                    guard let value = enabled.bool else { throw reader.error(section, "enabled", "expected true or false") }
                    settings.enabled = value
                }
                config.plugins.append(settings)
            }
        }
        if let timers = table["timers"] {
            guard let timers = timers.table else { throw reader.error("timers", "", "expected tables [timers.NAME]") }
            let zone = config.zone.zoneInfo
            for name in timers.keys.sorted() {
                let section = "timers.\(name)"
                guard Self.isValidGroupName(name) else {
                    throw reader.error(section, "", "'\(name)' is not a timer name: expected lower-case letters, digits, '-' and '_'")
                }
                guard let timer = try reader.table(timers, section, key: name, known: ["on_calendar", "kind", "payload", "enabled"]) else { continue }
                guard let expression = try reader.string(timer, section, "on_calendar") else {
                    throw reader.error(section, "", "a timer needs on_calendar, e.g. \"daily 01:00\" or \"Mon..Fri 08:00\"")
                }
                do {
                    _ = try CalendarSpec(parsing: expression, localZone: zone)
                } catch {
                    throw reader.error(section, "on_calendar", "\(error)")
                }
                guard let kind = try reader.string(timer, section, "kind") else {
                    throw reader.error(section, "", "a timer needs kind: the job kind a plugin carries out, e.g. \"backup\"")
                }
                var settings = TimerSettings(name: name, onCalendar: expression, kind: kind)
                if let payload = try reader.string(timer, section, "payload") {
                    guard (try? JSONValue(parsing: payload)) != nil else {
                        throw reader.error(section, "payload", "expected JSON text, e.g. '{\"keep\": 7}'")
                    }
                    settings.payload = payload
                }
                if let enabled = timer["enabled"] {
                    guard let value = enabled.bool else { throw reader.error(section, "enabled", "expected true or false") }
                    settings.enabled = value
                }
                config.timers.append(settings)
            }
        }
        config.backup = try BackupSettings.parse(table, reader: reader, zone: config.zone.zoneInfo)
        if let backup = config.backup, backup.enabled, !config.timers.contains(where: { $0.name == "backup" }) {
            config.timers.append(TimerSettings(name: "backup", onCalendar: backup.calendarExpression, kind: "backup"))
        }
        try parseReminders(table, reader, into: &config)
        try parseInbound(table, reader, into: &config)
        try parsePrivacy(table, reader, into: &config)
        return config
    }

    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count { break }
        }
        guard ferror(file) == 0 else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isKnownTimeZone(_ name: String) -> Bool {
        guard !name.isEmpty, !name.contains(".."), !name.hasPrefix("/") else { return false }
        var info = stat()
        return stat("/usr/share/zoneinfo/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    static func isValidGroupName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first, ("a"..."z").contains(first) || first == "_", scalars.count <= 32 else { return false }
        return scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}
