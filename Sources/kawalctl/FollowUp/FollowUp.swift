import ArgumentParser

struct FollowUp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "followup",
        abstract: "Plan follow-ups of a case (visits, calls, accompanying), and record what happened.",
        discussion: """
            A follow-up is planned for a time (with an optional window of hours), then recorded as done (with \
            its outcome and whether contact was made), missed (optionally with a new attempt) or cancelled. \
            Case handlers record the follow-ups of their own cases.
            """,
        subcommands: [FollowUpAdd.self, FollowUpDone.self, FollowUpList.self, FollowUpPlanCommand.self]
    )
}
