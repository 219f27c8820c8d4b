import ArgumentParser
import Varlink

struct RetentionPlan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show finished cases and when each one's personal data will be purged, soonest first."
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.call("io.kawal.Privacy.RetentionPlan")
        if options.printedJSON(reply) { return }
        var table = Table(["CASE", "TYPE", "DESA", "FINISHED", "KEPT", "PURGE ON", "STATE"])
        for entry in reply["cases"]?.arrayValue ?? [] {
            let state = entry["legal_hold"]?.boolValue == true ? "legal hold" : entry["due"]?.boolValue == true ? "due now" : "waiting"
            table.append([text(entry["case_code"]), text(entry["type"]), text(entry["village"]), shownTime(entry["finished_at"]),
                          "\(text(entry["retention_days"]))d", shownTime(entry["purge_at"]), state])
        }
        table.print(ifEmpty: "No finished cases: nothing to purge.")
    }
}
