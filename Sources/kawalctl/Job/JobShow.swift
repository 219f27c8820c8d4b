import ArgumentParser
import Varlink

struct JobShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one job, with its last error.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The job's id.")
    var id: Int64

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Jobs.Get", ["id": .int(id)])
        if options.printedJSON(reply) { return }
        Table.job(reply["job"] ?? .null).print()
    }
}

struct JobRetry: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Put a dead, stale or cancelled job back in the queue, due now.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The job's id.")
    var id: Int64

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Jobs.Retry", ["id": .int(id)])
        if options.printedJSON(reply) { return }
        print("Job \(id) is \(text(reply["job"]?["state"])) again.")
    }
}

struct JobCancel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a pending or leased job; a plugin's late answer is ignored.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The job's id.")
    var id: Int64

    func run() throws {
        let reply = try ControlClient(options).call("io.kawal.Jobs.Cancel", ["id": .int(id)])
        if options.printedJSON(reply) { return }
        print("Job \(id) is cancelled.")
    }
}
