import ArgumentParser
import Varlink

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that no audit event was changed or deleted since it was written.",
        discussion: """
            Exit status 0 when the whole chain is intact; 1 when it is broken, with the id of the first event \
            that does not fit and why.
            """
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.call("io.kawal.Audit.Verify")
        let events = Int(reply["events"]?.intValue ?? 0)
        guard reply["ok"]?.boolValue == true else {
            throw CommandFailure(code: .daemonError,
                                 message: "the audit log is broken at event \(text(reply["first_broken"])): \(text(reply["message"]))",
                                 json: options.json ? .object(reply) : nil)
        }
        if options.printedJSON(reply) { return }
        print("The audit log is intact: \(counted(events, "event")) checked.")
    }
}
