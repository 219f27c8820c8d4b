import ArgumentParser
import KawalContracts
import Varlink

struct ReminderPreview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show the messages a case's planned reminders would send, rendered, without sending them.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The case: its code (K-2025-0001) or id.", valueName: "case"))
    var reference: CaseReference

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Reminders.Preview", reference.parameters.mapKeys())
        if options.printedJSON(reply) { return }
        let messages = reply["messages"]?.arrayValue ?? []
        if messages.isEmpty {
            print("No planned reminders for this case (or no recipient has a channel with recorded consent).")
            return
        }
        for (index, message) in messages.enumerated() {
            let payload = try? WireJSON.decode(NotifyPayload.self, from: text(message["payload"]))
            if index > 0 { print("") }
            Table.fields([
                ("Message", text(message["message_id"])), ("Channel", text(message["kind"])), ("Send at", shownTime(message["send_at"])),
                ("To", "\(payload?.to.name ?? "-") (handler \(payload?.to.handler ?? "-"))"),
                ("Language", payload?.language ?? "-"), ("Subject", payload?.subject ?? "-"),
            ]).print()
            print("")
            print(payload?.text ?? "-")
        }
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// io.kawal.Cases.Get's `id` is io.kawal.Reminders.Preview's `case_id`.
    func mapKeys() -> [String: JSONValue] {
        var mapped: [String: JSONValue] = [:]
        for (key, value) in self { mapped[key == "id" ? "case_id" : key] = value }
        return mapped
    }
}
