/// The payload of a `reminder.fire` job, which kawald's reminder service takes from its own queue:
/// the key under which the store groups the reminders that fire together (also the job's
/// idempotency key).
///
/// ```json
/// {"key":"remind:1842:1764550800000"}
/// ```
public struct ReminderFirePayload: Codable, Sendable, Equatable {
    /// `remind:REMINDER:MS`, `digest:HANDLER:MS` or `late:RECIPIENT:REMINDER`.
    public var key: String

    public init(key: String) {
        self.key = key
    }
}
