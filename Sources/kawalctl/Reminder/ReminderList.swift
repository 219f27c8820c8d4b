import ArgumentParser
import KawalCore
import Varlink

struct ReminderList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List reminders, newest first.")

    static let states = ReminderDelivery.allCases.map(\.rawValue)

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Only reminders to this handler or about their cases.", valueName: "code"))
    var handler: String?

    @Option(name: .long, help: ArgumentHelp("Only reminders in this state.", valueName: states.joined(separator: "|")))
    var state: String?

    @Option(name: .long, help: ArgumentHelp("At most this many (default 50, at most 500).", valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let state, !Self.states.contains(state) {
            throw ValidationError("'\(state)' is not a reminder state; expected one of \(Self.states.joined(separator: ", "))")
        }
    }

    func run() throws {
        var parameters: [String: JSONValue] = [:]
        if let handler { parameters["handler"] = .string(handler) }
        if let state { parameters["state"] = .string(state) }
        if let limit { parameters["limit"] = .int(Int64(limit)) }
        let reply = try ControlClient(options).call("io.kawal.Reminders.List", parameters)
        if options.printedJSON(reply) { return }
        var table = Table(["ID", "CASE", "RULE", "TO", "DUE", "STATE", "SEND AT", "CHANNEL", "NOTE"])
        for r in reply["reminders"]?.arrayValue ?? [] {
            table.append([text(r["id"]), text(r["case_code"]), text(r["rule"]), text(r["recipient"]), shownTime(r["due_slot"]), text(r["state"]),
                          shownTime(r["send_at"]), text(r["channel"]), text(r["note"])])
        }
        table.print(ifEmpty: "No reminders found.")
    }
}
