import ArgumentParser

struct CaseUnhold: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unhold",
        abstract: "Lift a case's legal hold; its retention date applies again."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The case's id or code.", valueName: "id-or-code"))
    var reference: CaseReference

    @Option(name: .long, help: ArgumentHelp("Why the hold ends.", valueName: "text"))
    var reason: String?

    func run() throws {
        try CaseHold.set(reference, hold: false, reason: reason, options)
    }
}
