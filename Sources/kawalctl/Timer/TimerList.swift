import ArgumentParser
import Varlink

struct TimerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timer",
        abstract: "Recurring schedules ([timers.NAME] in kawald.toml), like systemctl list-timers.",
        subcommands: [TimerList.self]
    )
}

struct TimerList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the recurring schedules with their next elapse and when they last fired.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Jobs.Timers")
        if options.printedJSON(reply) { return }
        var table = Table(["NEXT", "LEFT", "LAST", "PASSED", "TIMER", "KIND", "SCHEDULE"])
        for timer in reply["timers"]?.arrayValue ?? [] {
            let left = timer["left_seconds"]?.doubleValue.map { formatDuration($0) + " left" } ?? "-"
            let passed = timer["passed_seconds"]?.doubleValue.map { formatDuration($0) + " ago" } ?? "-"
            table.append([shownTime(timer["next_elapse"]), left, shownTime(timer["last_fired"]), passed, text(timer["name"]), text(timer["kind"]),
                          text(timer["normalized"]) + (timer["enabled"]?.boolValue == false ? " (disabled)" : "")])
        }
        table.print(ifEmpty: "No timers; add [timers.NAME] sections with on_calendar and kind to kawald.toml.")
    }
}
