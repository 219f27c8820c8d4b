import ArgumentParser
import KawalCore
import Varlink

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the installation for mistakes that go unnoticed: plugins, handlers' channels, alerts, backups, permissions, disk.",
        discussion: """
            Prints one line per check: ok, warn or fail, the check's name, what was found and, after '→', \
            what to do. --json prints the checks as a list of {id, status, message, hint}. Exits 0 when \
            every check is ok, 1 when one warns or fails (or kawald refuses: doctor needs an administrator), \
            3 when kawald cannot be reached.
            """)

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let client = try ControlClient(options)
        var checks = try client.call("io.kawal.Daemon.Doctor")["checks"]?.arrayValue ?? []
        checks.append(Self.versionCheck(kawald: try client.call("io.kawal.Daemon.Version")["version"]?.stringValue))
        let statuses = checks.map { $0["status"]?.stringValue ?? "fail" }
        if options.json {
            print(JSONValue.array(checks).prettyPrinted())
        } else {
            var table = Table(["STATUS", "CHECK", "FOUND → TO DO"])
            for check in checks {
                table.append([text(check["status"]), text(check["id"]), text(check["message"]) + (check["hint"]?.stringValue.map { " → " + $0 } ?? "")])
            }
            table.print()
        }
        let failed = statuses.filter { $0 == "fail" }.count
        let warned = statuses.filter { $0 == "warn" }.count
        guard failed + warned == 0 else {
            throw CommandFailure(code: .daemonError, message: "doctor: \(counted(failed, "check")) failed, \(warned) warned, of \(checks.count)")
        }
    }

    /// The one check made here: kawalctl and kawald from the same release (a mismatch means a
    /// half-done upgrade; the older side may not know the other's fields).
    static func versionCheck(kawald: String?) -> JSONValue {
        let mine = KawalDefaults.version
        guard let kawald, kawald != mine else {
            return ["id": "kawalctl.version", "status": "ok", "message": .string("kawalctl and kawald are both \(mine)"), "hint": .null]
        }
        return ["id": "kawalctl.version", "status": "warn", "message": .string("kawalctl is \(mine) but kawald is \(kawald): an upgrade was not finished"),
                "hint": "install the same kawal package for both, then systemctl restart kawald"]
    }
}
