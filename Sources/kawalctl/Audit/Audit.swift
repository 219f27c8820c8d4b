import ArgumentParser

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read and check the audit log: who read or changed which record, when, from which process.",
        discussion: """
            Every event carries the SHA-256 hash of the one before it, so an event that was edited or deleted \
            afterwards breaks the chain; 'audit verify' walks the chain and names the first event that does \
            not fit. Administrators only.
            """,
        subcommands: [AuditList.self, AuditVerify.self]
    )
}
