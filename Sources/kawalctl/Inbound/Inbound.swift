import ArgumentParser

struct Inbound: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbound",
        abstract: "The messages handlers sent to Kawal from their phones.",
        discussion: """
            Handlers answer reminders by SMS or a chat gateway (SELESAI 1842 catatan, GAGAL, TUNDA, KASUS, \
            RUJUK, BARU, BANTUAN). Each message is stored once, read as a command, carried out as the \
            handler who sent it, and answered. Administrators see the text of each message (and the \
            listing is audited); handlers see their own messages without it. See docs/inbound.md.
            """,
        subcommands: [InboundList.self]
    )
}
