import ArgumentParser

struct Retention: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "When finished cases lose their personal data, and purging it.",
        discussion: """
            [retention] in kawald.toml sets, per case type, how long a case's personal data is kept after it \
            is closed (or withdrawn). A retention.purge job on a timer deletes what is due; cases under legal \
            hold ('case hold') are skipped. A de-identified row per case stays for reports. See docs/privacy.md.
            """,
        subcommands: [RetentionPlan.self, RetentionPurge.self]
    )
}
