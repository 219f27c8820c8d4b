import ArgumentParser
import Varlink

struct ReminderSendNow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-now", abstract: "Send a planned reminder now instead of at its time (quiet hours still hold an SMS).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The reminder's id ('kawalctl reminder list --state planned' shows them).")
    var id: Int64

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Reminders.SendNow", ["id": .int(id)])
        if options.printedJSON(reply) { return }
        let reminder = reply["reminder"] ?? .null
        print("Reminder \(id) about \(text(reminder["case_code"])) to \(text(reminder["recipient"])) goes out now.")
    }
}
