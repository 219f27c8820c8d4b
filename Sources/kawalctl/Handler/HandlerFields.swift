import ArgumentParser
import Varlink

/// What `handler add` and `handler update` enter about a handler; only the options given are sent.
struct HandlerFields: ParsableArguments {
    @Option(name: .long, help: "Full name.")
    var name: String?

    @Option(name: .long, help: ArgumentHelp("Their login on this server, which lets them see their cases.", valueName: "login"))
    var unixUser: String?

    @Option(name: .long, help: ArgumentHelp("Phone number, for reminders: 08…, 628… or +628….", valueName: "number"))
    var phone: String?

    @Option(name: .long, help: ArgumentHelp("E-mail address, for reminders.", valueName: "address"))
    var email: String?

    @Option(name: .long, help: ArgumentHelp("Language of their reminders: \(Choice.language.list).", valueName: "language"),
            transform: Choice.language.parse)
    var language: String?

    @Option(name: .customLong("village"), help: ArgumentHelp("Repeat for each village (desa) they cover.", valueName: "village"))
    var villages: [String] = []

    @Option(name: .long, help: ArgumentHelp("Their supervisor (a handler code), to whom overdue work escalates.", valueName: "code"))
    var supervisor: String?

    /// io.kawal.Handlers.HandlerInput with the fields given.
    var input: [String: JSONValue] {
        var input: [String: JSONValue] = [:]
        let strings: [(String, String?)] = [
            ("name", name), ("unix_user", unixUser), ("phone", phone), ("email", email), ("language", language), ("supervisor", supervisor),
        ]
        for case let (key, value?) in strings { input[key] = .string(value) }
        if !villages.isEmpty { input["villages"] = .array(villages.map { .string($0) }) }
        return input
    }
}
