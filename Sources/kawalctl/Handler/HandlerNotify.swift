import ArgumentParser
import Varlink

struct HandlerNotify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Show or change how a handler is reminded: channels (with consent), quiet hours, digest.",
        discussion: """
            --channel, repeated in order of preference, replaces the handler's channels; a channel they \
            had not agreed to needs --consent METHOD (written, verbal, message), recorded with the time and \
            who recorded it. Quiet hours hold SMS until they end ('' for the configured default). With \
            --digest the handler gets one message a day at --digest-at listing everything due.
            """
    )

    enum Delivery: String, EnumerableFlag {
        case immediate, digest

        static func help(for value: Delivery) -> ArgumentHelp? {
            value == .immediate ? "One message per reminder, when it is due." : "One message a day listing everything due."
        }
    }

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The handler's code.", valueName: "code"))
    var code: String

    @Option(name: .customLong("channel"), help: ArgumentHelp("A channel, in order of preference (repeat).", valueName: "email|sms|webhook"))
    var channels: [String] = []

    @Option(name: .long, help: ArgumentHelp("How the handler agreed to new channels.", valueName: "written|verbal|message"))
    var consent: String?

    @Option(name: .long, help: ArgumentHelp("No SMS inside this window, e.g. 21:00-07:00.", valueName: "HH:MM-HH:MM"))
    var quietHours: String?

    @Flag var delivery: Delivery?

    @Option(name: .long, help: ArgumentHelp("When the daily digest goes out.", valueName: "HH:MM"))
    var digestAt: String?

    func run() throws {
        let client = try ControlClient(options)
        var parameters: [String: JSONValue] = ["handler": .string(code)]
        if !channels.isEmpty { parameters["channels"] = .array(channels.map { .string($0) }) }
        if let consent { parameters["consent_method"] = .string(consent) }
        if let quietHours { parameters["quiet_hours"] = .string(quietHours) }
        if let delivery { parameters["delivery"] = .string(delivery.rawValue) }
        if let digestAt { parameters["digest_at"] = .string(digestAt) }
        let reply = try client.call(parameters.count == 1 ? "io.kawal.Reminders.GetSettings" : "io.kawal.Reminders.SetSettings", parameters)
        if options.printedJSON(reply) { return }
        let settings = reply["settings"] ?? .null
        let channels = settings["channels"]?.arrayValue ?? []
        Table.fields([
            ("Handler", text(settings["handler"])),
            ("Channels", channels.isEmpty ? "none (no reminders reach them)" : channels.map {
                "\(text($0["channel"])) (consent \(text($0["method"])), \(shownTime($0["consent_at"])), by \(text($0["recorded_by"])))"
            }.joined(separator: "\n")),
            ("Quiet hours", text(settings["effective_quiet_hours"]) + (settings["quiet_hours"] == .null ? " (default)" : "")),
            ("Delivery", text(settings["delivery"]) + (settings["delivery"] == "digest" ? " at \(text(settings["digest_at"]))" : "")),
            ("Language", text(settings["language"])),
        ]).print()
    }
}
