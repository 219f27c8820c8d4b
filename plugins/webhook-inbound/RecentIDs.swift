import KawalContracts

/// The message ids accepted within the time window, with kawald's answer: a request replayed while
/// its timestamp is still fresh is answered from here without reaching kawald. Bounded: when full,
/// the oldest id is forgotten first, and kawald's own deduplication on the gateway id still holds
/// (it also covers a restart of the plugin).
struct RecentIDs {
    let capacity: Int
    private var answers: [String: (answer: WebhookInboundAnswer, until: Int64)] = [:]
    /// Ids in the order they were remembered; `head` is the oldest still counted.
    private var order: [String] = []
    private var head = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    var count: Int { answers.count }

    /// kawald's answer to `id`, as long as a replay of it could still pass the time window.
    func answer(for id: String, now: Int64) -> WebhookInboundAnswer? {
        guard let entry = answers[id], entry.until >= now else { return nil }
        return entry.answer
    }

    /// Remembers `id` until `until` (unix seconds: its timestamp plus the allowed skew).
    mutating func remember(_ id: String, answer: WebhookInboundAnswer, until: Int64, now: Int64) {
        forget(before: now)
        if answers[id] == nil {
            while answers.count >= capacity { dropOldest() }
            order.append(id)
        }
        answers[id] = (answer, until)
    }

    /// Drops the ids whose window has passed, oldest first.
    private mutating func forget(before now: Int64) {
        while head < order.count, let entry = answers[order[head]], entry.until < now { dropOldest() }
    }

    private mutating func dropOldest() {
        answers[order[head]] = nil
        head += 1
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
