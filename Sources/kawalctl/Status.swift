import ArgumentParser
import KawalCore
import Varlink

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show what kawald is doing: version, uptime, configuration, database, sockets.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let client = try ControlClient(options)
        let status = try client.call("io.kawal.Daemon.Status")
        if options.json {
            print(JSONValue.object(status).prettyPrinted())
            return
        }
        let storage = status["storage"]?.objectValue ?? [:]
        let sockets = status["sockets"]?.arrayValue ?? []
        let counts = status["counts"]?.objectValue ?? [:]
        var rows: [(String, String)] = []
        rows.append(("kawald", "\(text(status["version"])) (pid \(text(status["pid"]))), up \(formatDuration(status["uptime_seconds"]?.doubleValue ?? 0))"))
        rows.append(("Config", status["config_path"]?.stringValue ?? "built-in defaults (no config file)"))
        rows.append(("State dir", text(status["state_dir"])))
        rows.append(("Database", "\(text(storage["state"])), schema \(text(storage["schema_version"])), \(text(storage["journal_mode"])), "
            + "\(formatBytes(storage["size_bytes"]?.intValue ?? 0)) (\(text(storage["path"])))"))
        for socket in sockets {
            let activated = socket["activated"]?.boolValue == true ? " (socket-activated)" : ""
            rows.append(("Socket", "\(text(socket["name"])) \(text(socket["path"]))\(activated)"))
        }
        if let backup = status["backup"]?.objectValue {
            let age = backup["age_seconds"]?.doubleValue.map { "\(formatDuration($0)) ago (\(text(backup["last_success"])))" } ?? "none yet"
            let flag = backup["stale"]?.boolValue == true
                ? " — OVERDUE: older than \(formatDuration(backup["max_age_seconds"]?.doubleValue ?? 0)); see 'kawalctl backup list'" : ""
            rows.append(("Last backup", age + flag))
            if backup["offsite_configured"]?.boolValue == true {
                var offsite = backup["offsite_age_seconds"]?.doubleValue.map { "\(formatDuration($0)) ago (\(text(backup["offsite_last_success"])))" } ?? "none yet"
                if let error = backup["offsite_error"]?.stringValue { offsite += " — LAST COPY FAILED: \(error)" }
                rows.append(("Off-site copy", offsite))
            }
        }
        rows.append(("Time zone", text(status["time_zone"])))
        rows.append(("Reloads", text(status["reloads"])))
        for key in counts.keys.sorted() {
            rows.append((key.replacingUnderscores(), text(counts[key])))
        }
        rows.append(("You", "\(text(status["role"])) (uid \(text(status["caller_uid"])))"))
        Table.fields(rows).print()
    }
}

func formatDuration(_ seconds: Double) -> String {
    let total = Int(seconds)
    let (days, hours, minutes, secs) = (total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60)
    if days > 0 { return "\(days)d \(hours)h \(minutes)m" }
    if hours > 0 { return "\(hours)h \(minutes)m" }
    if minutes > 0 { return "\(minutes)m \(secs)s" }
    return "\(secs)s"
}

func formatBytes(_ bytes: Int64) -> String { ByteCount.text(bytes) }

extension String {
    func replacingUnderscores() -> String {
        let words = split(separator: "_")
        guard let first = words.first else { return self }
        return ([first.prefix(1).uppercased() + first.dropFirst()] + words.dropFirst().map(String.init)).joined(separator: " ")
    }
}
