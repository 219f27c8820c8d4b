import ArgumentParser

struct Case: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Open cases, see them through their life, and close them.",
        discussion: """
            A case follows one person's problem (a missing birth certificate, BPJS, social assistance, \
            violence, child marriage) from new through assessment, in progress and referred to resolved and \
            closed; it may be withdrawn while open, and reopened after. A case is named by its id (12) or \
            its code (K-2025-0001).

            Changes name the version that was read, so that two people cannot overwrite each other: when \
            --version is left out, kawalctl reads the case first and uses its current version, and kawald \
            still refuses with a conflict if someone changes it in between.
            """,
        subcommands: [CaseOpen.self, CaseShow.self, CaseList.self, CaseUpdate.self, CaseAssign.self, CaseTransition.self,
                      CaseClose.self, CaseReopen.self, CaseHold.self, CaseUnhold.self]
    )
}
