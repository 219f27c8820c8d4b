import ArgumentParser

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "De-identified figures for village policy.",
        discussion: """
            Reports hold counts only: no name, NIK, phone number or note. A count from 1 to 4 (below \
            [reports] min_cell) is shown as <5, and cells marked x are withheld so that no small count can be \
            worked out from a total. People whose processing is restricted are not counted. See docs/reports.md.
            """,
        subcommands: [ReportCases.self]
    )
}
