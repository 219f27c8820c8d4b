import ArgumentParser
import Varlink

struct FollowUpPlanShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the plans that apply to cases of one type.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("A case type: \(Choice.caseType.list).", valueName: "type"), transform: Choice.caseType.parse)
    var type: String

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Reminders.Plans", ["type": .string(type)])
        if options.printedJSON(reply) { return }
        Table.plans(reply["plans"]?.arrayValue ?? []).print(ifEmpty: "No follow-up plan applies to \(type) cases.")
    }
}
