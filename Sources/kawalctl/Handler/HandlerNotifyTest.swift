import ArgumentParser
import Varlink

struct HandlerNotifyTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify-test",
        abstract: "Send a handler a test message on one channel, to check that reminders reach them.",
        discussion: "The message goes out even without recorded consent for that channel: an administrator asked for it. 'kawalctl job show ID' follows it.")

    enum Channel: String, ExpressibleByArgument, CaseIterable {
        case email, sms, webhook
    }

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The handler's code.", valueName: "code"))
    var code: String

    @Option(name: .long, help: ArgumentHelp("The channel to test.", valueName: "email|sms|webhook"))
    var channel: Channel

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Reminders.NotifyTest", ["handler": .string(code), "channel": .string(channel.rawValue)])
        if options.printedJSON(reply) { return }
        print("Test message \(text(reply["message_id"])) queued as job \(text(reply["job_id"])) (notify.\(channel.rawValue)).")
    }
}
