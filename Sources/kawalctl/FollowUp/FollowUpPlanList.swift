import ArgumentParser
import Varlink

struct FollowUpPlanList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the follow-up plans in force.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Reminders.Plans")
        if options.printedJSON(reply) { return }
        Table.plans(reply["plans"]?.arrayValue ?? []).print(ifEmpty: "No follow-up plans; add [plans.NAME] sections to kawald.toml.")
    }
}

extension Table {
    static func plans(_ plans: [JSONValue]) -> Table {
        var table = Table(["PLAN", "CASES", "ON", "KIND", "FIRST", "EVERY"])
        for plan in plans {
            var cases = shownList(plan["types"]) == "-" ? "all types" : shownList(plan["types"])
            if shownList(plan["subtypes"]) != "-" { cases += " (\(shownList(plan["subtypes"])))" }
            if shownList(plan["risks"]) != "-" { cases += ", risk \(shownList(plan["risks"]))" }
            if let urgent = plan["urgent"]?.boolValue { cases += urgent ? ", urgent" : ", not urgent" }
            table.append([text(plan["name"]), cases, text(plan["on"]), text(plan["kind"]), text(plan["first"]), text(plan["every"])])
        }
        return table
    }
}
