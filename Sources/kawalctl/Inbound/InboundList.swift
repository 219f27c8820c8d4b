import ArgumentParser
import KawalCore
import Varlink

struct InboundList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List handlers' messages, newest first.")

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Only messages from this handler.", valueName: "code"))
    var handler: String?

    @Option(name: .long, help: ArgumentHelp("Only messages received since then (YYYY-MM-DD, or today).", valueName: "when"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Only messages that came to this.", valueName: InboundOutcome.allCases.map(\.rawValue).joined(separator: "|")))
    var state: String?

    @Option(name: .long, help: ArgumentHelp("At most this many (default 50, at most 500).", valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let state, InboundOutcome(rawValue: state) == nil {
            throw ValidationError("'\(state)' is not an outcome; expected one of \(InboundOutcome.valueList)")
        }
    }

    func run() throws {
        var parameters: [String: JSONValue] = [:]
        if let handler { parameters["handler"] = .string(handler) }
        if let since { parameters["since"] = .string(since) }
        if let state { parameters["outcome"] = .string(state) }
        if let limit { parameters["limit"] = .int(Int64(limit)) }
        let reply = try ControlClient(options).call("io.kawal.Messages.ListInbound", parameters)
        if options.printedJSON(reply) { return }
        let messages = reply["messages"]?.arrayValue ?? []
        let showText = messages.contains { $0["text"]?.stringValue != nil }
        var table = Table(["ID", "RECEIVED", "VIA", "HANDLER", "COMMAND", "OUTCOME", "DETAIL", "REPLY"] + (showText ? ["TEXT"] : []))
        for m in messages {
            table.append([text(m["id"]), shownTime(m["received_at"]), text(m["channel"]), text(m["handler"]), text(m["command"]), text(m["outcome"]),
                          text(m["detail"]), text(m["reply"])] + (showText ? [text(m["text"])] : []))
        }
        table.print(ifEmpty: "No messages found.")
    }
}
