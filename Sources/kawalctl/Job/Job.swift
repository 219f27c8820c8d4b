import ArgumentParser
import Varlink

struct Job: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "See the scheduler's jobs: pending, leased to a plugin, done, dead (failed for good), stale.",
        discussion: """
            A job is carried out at least once by a plugin with its kind as a capability. A failure is retried \
            with back-off; after the last attempt the job is dead and stays visible here until retried or cancelled. \
            Jobs missed for longer than the staleness window while kawald was stopped are stale, not fired.
            """,
        subcommands: [JobList.self, JobShow.self, JobRetry.self, JobCancel.self]
    )
}

extension Table {
    static func jobs(_ items: [JSONValue]) -> Table {
        var table = Table(["ID", "KIND", "STATE", "DUE", "ATTEMPTS", "PLUGIN", "LAST ERROR"])
        for job in items {
            table.append([text(job["id"]), text(job["kind"]), text(job["state"]), shownTime(job["due_at"]), text(job["attempts"]),
                          text(job["lease_owner"]), text(job["last_error"])])
        }
        return table
    }

    static func job(_ job: JSONValue) -> Table {
        .fields([
            ("Job", text(job["id"])), ("Kind", text(job["kind"])), ("State", text(job["state"])), ("Due", shownTime(job["due_at"])),
            ("Attempts", text(job["attempts"])), ("Leased to", text(job["lease_owner"])), ("Lease ends", shownTime(job["lease_expires_at"])),
            ("Idempotency key", text(job["idempotency_key"])), ("Last error", text(job["last_error"])),
            ("Created", shownTime(job["created_at"])), ("Updated", shownTime(job["updated_at"])), ("Payload", job["payload_forgotten_at"].flatMap(\.stringValue).map { "(forgotten on \($0))" } ?? text(job["payload"])),
        ])
    }
}
