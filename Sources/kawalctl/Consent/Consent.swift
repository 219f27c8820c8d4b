import ArgumentParser

struct Consent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "The consent register: who agreed to what, how, when, and with what proof.",
        discussion: """
            A consent names its purpose (data_processing, referral, referral:dukcapil, data_sharing, \
            contact_sms), its method (written: a signed or thumbprinted form; recorded: an audio or video \
            recording), the day it was given, the proof's reference, and who gave it: the person, or a \
            guardian, which a child under 18 (from the birth date) needs. Consents are never changed; a \
            withdrawal is recorded on them. A referral that shares data needs a consent in force for \
            referral, referral:SERVICE or data_sharing, or an override with a reason (audited).
            """,
        subcommands: [ConsentAdd.self, ConsentList.self, ConsentWithdraw.self]
    )
}
