import ArgumentParser

struct CaseClose: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close",
        abstract: "Close a resolved case ('case transition ID closed').",
        discussion: "Only a resolved case can be closed. Without --version, the case's current version is read and used."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The case's id or code.", valueName: "id-or-code"))
    var reference: CaseReference

    @OptionGroup var change: TransitionOptions

    func run() throws {
        try CaseTransition.move(reference, to: "closed", change, options)
    }
}
