import ArgumentParser

struct CaseReopen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reopen",
        abstract: "Reopen a resolved, closed or withdrawn case ('case transition ID reopened').",
        discussion: "Without --version, the case's current version is read and used."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The case's id or code.", valueName: "id-or-code"))
    var reference: CaseReference

    @OptionGroup var change: TransitionOptions

    func run() throws {
        try CaseTransition.move(reference, to: "reopened", change, options)
    }
}
