import ArgumentParser

struct FollowUpPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "The follow-up plans: which follow-ups opening, referring or moving a case creates.",
        discussion: """
            Plans come from [plans.NAME] in kawald.toml (without any, the shipped defaults apply). A plan \
            creates its first follow-up once per case and occasion; a plan with 'every' plans the next one \
            each time the last is recorded, until the case is resolved. See docs/reminders.md.
            """,
        subcommands: [FollowUpPlanList.self, FollowUpPlanShow.self]
    )
}
