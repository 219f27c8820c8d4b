import ArgumentParser
import Varlink

struct JobList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs, newest first.")

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Only jobs in this state.", valueName: "pending|leased|done|dead|stale|cancelled"))
    var state: String?

    @Option(name: .long, help: ArgumentHelp("Only jobs of this kind, e.g. notify.email.", valueName: "kind"))
    var kind: String?

    @OptionGroup var paging: Paging

    func validate() throws {
        let states = ["pending", "leased", "done", "dead", "stale", "cancelled"]
        if let state, !states.contains(state) {
            throw ValidationError("'\(state)' is not a job state; expected one of \(states.joined(separator: ", "))")
        }
    }

    func run() throws {
        var parameters: [String: JSONValue] = [:]
        if let state { parameters["state"] = .string(state) }
        if let kind { parameters["kind"] = .string(kind) }
        let reply = try ControlClient(options).list("io.kawal.Jobs.List", parameters, items: "jobs", paging: paging)
        if options.printedJSON(reply) { return }
        Table.jobs(reply["jobs"]?.arrayValue ?? []).print(ifEmpty: "No jobs found.")
        paging.printContinuation(of: reply)
    }
}
