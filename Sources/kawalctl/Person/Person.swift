import ArgumentParser

struct Person: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "person",
        abstract: "Record the people that cases are about, and look them up.",
        discussion: """
            A person is a beneficiary: the one a case helps. Their record holds what is needed to reach \
            services (NIK, KK number, birth date, village, documents held) and their consent. Every read \
            and change is written to the audit log. NIKs are shown masked; 'person show --reveal' shows one \
            in full, and that is audited too.
            """,
        subcommands: [PersonAdd.self, PersonShow.self, PersonList.self, PersonUpdate.self, PersonConsent.self,
                      PersonExport.self, PersonRestrict.self, PersonUnrestrict.self, PersonErase.self]
    )
}
