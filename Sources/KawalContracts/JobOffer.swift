/// A job kawald offers a plugin: one of the `jobs` of `io.kawal.PluginJobs.Run` (the IDL's `Job`).
///
/// ```json
/// {"attempt":2,"due_at":"2026-12-01T08:00:00+08:00","id":7,"idempotency_key":"notify:r-1842-20261201T0100:sms",
///  "kind":"notify.sms","payload":"{\"message_id\":…}"}
/// ```
public struct JobOffer: Codable, Sendable, Equatable {
    public var id: Int64
    /// The capability, e.g. notify.email.
    public var kind: String
    /// The job's parameters as JSON text; its shape depends on the kind: `NotifyPayload` for
    /// notify.*, `BackupJobPayload` for backup, `ReminderFirePayload` for reminder.fire.
    public var payload: String
    /// The same for every attempt of the same work: drop a job whose key you already carried out.
    public var idempotencyKey: String
    /// 1 the first time the job is offered.
    public var attempt: Int64
    /// When the job fell due, in the deployment's time zone (`2026-12-01T08:00:00+08:00`).
    public var dueAt: String

    enum CodingKeys: String, CodingKey {
        case id, kind, payload, attempt
        case idempotencyKey = "idempotency_key", dueAt = "due_at"
    }

    public init(id: Int64, kind: String, payload: String, idempotencyKey: String, attempt: Int64, dueAt: String) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.idempotencyKey = idempotencyKey
        self.attempt = attempt
        self.dueAt = dueAt
    }
}
