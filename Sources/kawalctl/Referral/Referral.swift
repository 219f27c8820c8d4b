import ArgumentParser

struct Referral: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referral",
        abstract: "Refer cases to services (Dukcapil, BPJS, Dinsos, UPTD PPA, Puskesmas…) and follow the referrals.",
        discussion: """
            A referral needs the person's consent; without it, an override with its reason (e.g. a child in \
            immediate danger), which the audit log records as such. A referral goes from sent to accepted or \
            rejected, then done; it can be revoked. 'kawalctl service list' shows the services.
            """,
        subcommands: [ReferralAdd.self, ReferralUpdate.self, ReferralList.self]
    )
}
