import Foundation
import GRDB
import KawalContracts
import Synchronization

/// One reminder: about a follow-up (its subject), by a rule, for a due slot, to a recipient.
public struct ReminderRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "reminder"
    public var id: Int64?
    public var caseID: Int64
    public var followUpID: Int64
    /// due or escalation.
    public var rule: String
    public var dueSlot: Date
    /// "handler/ID" or "admins".
    public var recipient: String
    /// planned, queued, skipped, cancelled.
    public var state: String
    public var fireKey: String?
    public var channel: String?
    public var messageID: String?
    public var jobID: Int64?
    public var note: String?
    public var createdAt: Date
    public var updatedAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    public static let admins = "admins"

    public var recipientHandlerID: Int64? {
        recipient.hasPrefix("handler/") ? Int64(recipient.dropFirst(8)) : nil
    }
}

/// How a handler wants reminders: channels with consent (in order of preference), quiet hours,
/// immediate or daily digest. Values left nil take the configured defaults.
public struct HandlerNotifySettings: Sendable, Equatable {
    public var channels: [ChannelConsent] = []
    public var quietHours: DayWindow?
    public var delivery: DeliveryMode = .immediate
    public var digestAt: Int?

    public init() {}
}

/// A reminder on its way out: what a message may say about it (case code and first name only).
public struct ReminderItem: Sendable, Equatable {
    public var reminderID: Int64
    public var followUpID: Int64
    public var rule: String
    public var caseCode: String
    public var firstName: String
    public var followUpKind: String
    public var dueAt: Date
    /// The handler the case belongs to (for escalations).
    public var handlerName: String?
}

/// Someone a message goes to: a handler with their settings.
public struct ReminderRecipient: Sendable, Equatable {
    public var handler: HandlerRecord
    public var settings: HandlerNotifySettings
}

/// The reminders one reminder.fire job sends, and to whom.
public struct ReminderBatch: Sendable, Equatable {
    public enum Purpose: String, Sendable {
        case reminder, digest, escalation, late
    }

    public var fireKey: String
    public var purpose: Purpose
    /// Stable across attempts: the base of every message id the batch produces.
    public var messageBase: String
    /// The handler, or for "admins" the alert handlers (the composer adds configured addresses).
    public var recipients: [ReminderRecipient]
    public var toAdmins: Bool
    public var items: [ReminderItem]
}

/// A message rendered for one channel, ready to become a notify job.
public struct OutgoingMessage: Sendable, Equatable {
    public var messageID: String
    public var channel: String
    public var payload: String
    public var dueAt: Date

    public init(messageID: String, channel: String, payload: String, dueAt: Date) {
        self.messageID = messageID
        self.channel = channel
        self.payload = payload
        self.dueAt = dueAt
    }

    public var idempotencyKey: String { "notify:\(messageID):\(channel)" }
}

/// A reminder as listed: its delivery state follows its notify job.
public struct ReminderView: Sendable, Equatable {
    public var record: ReminderRecord
    public var caseCode: String
    public var recipientLabel: String
    /// planned, skipped, cancelled, queued, held (waiting for quiet hours to end), sending, sent, failed.
    public var delivery: String
    public var sendAt: Date?
    public var lastError: String?
}

/// New jobs made inside a transaction, handed to the scheduler once it commits.
final class JobCollector: Sendable {
    private let collected = Mutex<[DueJob]>([])

    func add(_ job: DueJob) { collected.withLock { $0.append(job) } }
    var jobs: [DueJob] { collected.withLock { $0 } }
}

/// The reminder rules in force and who learns about new jobs.
final class ReminderHub: Sendable {
    struct State {
        var rules = ReminderRules()
        var alertHandlers: [String] = []
        var onJobs: (@Sendable ([DueJob]) -> Void)?
    }

    let state = Mutex(State())
}

extension Store {
    public static let reminderFireKind = "reminder.fire"

    /// Turns reminders on: plans and rules from the configuration; `onJobs` learns of every job made
    /// as a side effect of a change (kawald hands them to its scheduler).
    public func configureReminders(_ rules: ReminderRules, alertHandlers: [String], onJobs: @escaping @Sendable ([DueJob]) -> Void) {
        reminderHub.state.withLock {
            $0.rules = rules
            $0.alertHandlers = alertHandlers
            $0.onJobs = onJobs
        }
    }

    public var reminderRules: ReminderRules { reminderHub.state.withLock { $0.rules } }

    /// A write whose side effects may include jobs (reminder.fire); they reach the scheduler after the commit.
    func writeWithReminders<T: Sendable>(_ body: @escaping @Sendable (Database, JobCollector) throws -> T) async throws -> T {
        let collector = JobCollector()
        let result = try await pool.write { db in try body(db, collector) }
        let jobs = collector.jobs
        if !jobs.isEmpty, let onJobs = reminderHub.state.withLock({ $0.onJobs }) { onJobs(jobs) }
        return result
    }

    // MARK: The one decision

    /// Whether reminders about this case may go to `recipient` (nil: the admins). Every such decision
    /// goes through here: when reminders are planned, and again when they are sent. Returns why not, or nil.
    static func reminderRefusal(_ db: Database, case record: CaseRecord, recipient: HandlerRecord?, rules: ReminderRules) throws -> String? {
        guard rules.enabled else { return "reminders are off" }
        guard CaseLifecycle.open.contains(record.status) else { return "the case is \(record.status)" }
        // UU PDP: while the person's processing is restricted, nobody is reminded about them.
        if try Bool.fetchOne(db, sql: "SELECT restrictedAt IS NOT NULL FROM person WHERE id = ?", arguments: [record.personID]) == true {
            return "processing of the person's data is restricted"
        }
        if let recipient, !recipient.active { return "handler \(recipient.code) is inactive" }
        return nil
    }

    // MARK: Plans

    /// What a change did that a plan may answer.
    enum PlanOccasion {
        case open
        case referral(id: Int64, service: String)
        case transition(status: String)

        var key: String {
            switch self {
            case .open: return "open"
            case .referral(let id, _): return "referral/\(id)"
            case .transition(let status): return "status/\(status)"
            }
        }

        func answers(_ occasion: FollowUpPlan.Occasion) -> Bool {
            switch (self, occasion) {
            case (.open, .open): return true
            case (.referral(_, let service), .referral(let wanted)): return wanted == nil || wanted == service
            case (.transition(let status), .transition(let wanted)): return status == wanted
            default: return false
            }
        }
    }

    /// After a change to a case: the plans that answer `occasion` create their first follow-up (once),
    /// then the case's reminders are brought in line with its follow-ups, status and handler.
    func caseChanged(_ db: Database, caseID: Int64, occasion: PlanOccasion?, now: Date, jobs: JobCollector) throws {
        let rules = reminderRules
        guard rules.enabled, let record = try CaseRecord.fetchOne(db, key: caseID) else { return }
        if let occasion, CaseLifecycle.open.contains(record.status) {
            for plan in rules.plans where occasion.answers(plan.on)
                && plan.matches(type: record.type, subtype: record.subtype, risk: record.risk, urgentSafety: record.urgentSafety) {
                let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM planFollowUp WHERE caseID = ? AND plan = ? AND occasion = ?)",
                                               arguments: [caseID, plan.name, occasion.key]) ?? false
                if exists { continue }
                try addPlanFollowUp(db, caseID: caseID, plan: plan, occasion: occasion.key, step: 1, due: now.addingTimeInterval(plan.first), now: now)
            }
        }
        try recomputeReminders(db, caseID: caseID, now: now, jobs: jobs)
    }

    func addPlanFollowUp(_ db: Database, caseID: Int64, plan: FollowUpPlan, occasion: String, step: Int64, due: Date, now: Date) throws {
        var followUp = FollowUpRecord(id: nil, caseID: caseID, kind: plan.kind, dueAt: due, windowHours: nil, status: "planned", outcome: nil,
                                      contactMade: nil, attempt: step, doneAt: nil, notes: "plan \(plan.name)", version: 1, createdAt: now)
        try followUp.insert(db)
        try db.execute(sql: "INSERT INTO planFollowUp (followUpID, caseID, plan, occasion, step) VALUES (?, ?, ?, ?, ?)",
                       arguments: [followUp.id!, caseID, plan.name, occasion, step])
    }

    /// A plan follow-up was recorded: a repeating plan plans its next one (the retry, when one was
    /// planned by hand, takes that place).
    func planFollowUpRecorded(_ db: Database, followUp: FollowUpRecord, retry: FollowUpRecord?, now: Date) throws {
        let rules = reminderRules
        guard rules.enabled, followUp.status != "cancelled",
              let row = try Row.fetchOne(db, sql: "SELECT plan, occasion, step FROM planFollowUp WHERE followUpID = ?", arguments: [followUp.id!]),
              let plan = rules.plans.first(where: { $0.name == row["plan"] as String }) else { return }
        let step: Int64 = row["step"]
        let occasion: String = row["occasion"]
        if let retry {
            try db.execute(sql: "INSERT OR IGNORE INTO planFollowUp (followUpID, caseID, plan, occasion, step) VALUES (?, ?, ?, ?, ?)",
                           arguments: [retry.id!, followUp.caseID, plan.name, occasion, step + 1])
            return
        }
        guard let every = plan.every, let record = try CaseRecord.fetchOne(db, key: followUp.caseID),
              CaseLifecycle.open.contains(record.status) else { return }
        let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM planFollowUp WHERE caseID = ? AND plan = ? AND occasion = ? AND step = ?)",
                                       arguments: [followUp.caseID, plan.name, occasion, step + 1]) ?? false
        if !exists {
            try addPlanFollowUp(db, caseID: followUp.caseID, plan: plan, occasion: occasion, step: step + 1, due: now.addingTimeInterval(every), now: now)
        }
    }

    // MARK: Reminders

    struct DesiredReminder: Hashable {
        var followUpID: Int64
        var rule: String
        var dueSlot: Date
        var recipient: String

        /// Compared by the millisecond, as stored: a date read back may differ in its last bit.
        var identity: String { "\(followUpID)/\(rule)/\(Store.milliseconds(dueSlot))/\(recipient)" }
    }

    /// Brings the case's planned reminders in line with what it needs now: one "due" reminder per
    /// planned follow-up to the case's handler (to the admins while the case has none), one
    /// escalation past the overdue limit; the rest are cancelled.
    /// Every case of a person: after a change to the person that the one decision reads (restriction).
    func recomputeReminders(_ db: Database, personID: Int64, now: Date, jobs: JobCollector) throws {
        for caseID in try Int64.fetchAll(db, sql: "SELECT id FROM caseFile WHERE personID = ?", arguments: [personID]) {
            try recomputeReminders(db, caseID: caseID, now: now, jobs: jobs)
        }
    }

    func recomputeReminders(_ db: Database, caseID: Int64, now: Date, jobs: JobCollector) throws {
        let rules = reminderRules
        guard let record = try CaseRecord.fetchOne(db, key: caseID) else { return }
        let handler = try record.handlerID.flatMap { try HandlerRecord.fetchOne(db, key: $0) }
        var desired: [DesiredReminder] = []
        let refusal = try Self.reminderRefusal(db, case: record, recipient: handler, rules: rules)
        if refusal == nil, handler == nil {
            for followUp in try FollowUpRecord.filter(Column("caseID") == caseID && Column("status") == "planned").fetchAll(db) {
                desired.append(DesiredReminder(followUpID: followUp.id!, rule: "due", dueSlot: followUp.dueAt.addingTimeInterval(-rules.lead),
                                               recipient: ReminderRecord.admins))
            }
        }
        if refusal == nil, let handler {
            let followUps = try FollowUpRecord.filter(Column("caseID") == caseID && Column("status") == "planned").order(Column("dueAt")).fetchAll(db)
            var escalateTo: String?
            if rules.escalateAfter != nil {
                let supervisor = try handler.supervisorID.flatMap { try HandlerRecord.fetchOne(db, key: $0) }
                if let supervisor, try Self.reminderRefusal(db, case: record, recipient: supervisor, rules: rules) == nil {
                    escalateTo = "handler/\(supervisor.id!)"
                } else {
                    escalateTo = ReminderRecord.admins
                }
            }
            for followUp in followUps {
                desired.append(DesiredReminder(followUpID: followUp.id!, rule: "due", dueSlot: followUp.dueAt.addingTimeInterval(-rules.lead),
                                               recipient: "handler/\(handler.id!)"))
                if let after = rules.escalateAfter, let escalateTo {
                    desired.append(DesiredReminder(followUpID: followUp.id!, rule: "escalation", dueSlot: followUp.dueAt.addingTimeInterval(after),
                                                   recipient: escalateTo))
                }
            }
        }
        let wanted = Set(desired.map(\.identity))
        // Reminders no longer wanted (done, moved, reassigned, closed) are cancelled.
        for var reminder in try ReminderRecord.filter(Column("caseID") == caseID && Column("state") == "planned").fetchAll(db) {
            let key = DesiredReminder(followUpID: reminder.followUpID, rule: reminder.rule, dueSlot: reminder.dueSlot, recipient: reminder.recipient)
            if wanted.contains(key.identity) { continue }
            reminder.state = "cancelled"
            reminder.note = refusal ?? "the follow-up was recorded, moved or reassigned"
            reminder.updatedAt = now
            try reminder.update(db)
            try cancelFireJobIfUnused(db, key: reminder.fireKey, now: now)
        }
        for want in desired {
            let sameSubject = try ReminderRecord.filter(Column("followUpID") == want.followUpID && Column("rule") == want.rule
                                                        && Column("recipient") == want.recipient).fetchAll(db)
            if var existing = sameSubject.first(where: { Self.milliseconds($0.dueSlot) == Self.milliseconds(want.dueSlot) }) {
                guard existing.state == "cancelled" else { continue }
                existing.state = "planned"
                existing.note = nil
                existing.updatedAt = now
                existing.fireKey = try attachFireJob(db, reminder: existing, rules: rules, now: now, jobs: jobs)
                try existing.update(db)
                continue
            }
            var reminder = ReminderRecord(id: nil, caseID: caseID, followUpID: want.followUpID, rule: want.rule, dueSlot: want.dueSlot,
                                          recipient: want.recipient, state: "planned", fireKey: nil, channel: nil, messageID: nil, jobID: nil,
                                          note: nil, createdAt: now, updatedAt: now)
            try reminder.insert(db)
            reminder.fireKey = try attachFireJob(db, reminder: reminder, rules: rules, now: now, jobs: jobs)
            try reminder.update(db)
        }
    }

    /// The reminder.fire job that will send `reminder`: its own, or its recipient's next daily digest.
    func attachFireJob(_ db: Database, reminder: ReminderRecord, rules: ReminderRules, now: Date, jobs: JobCollector) throws -> String {
        var key = "remind:\(reminder.id!)"
        var due = reminder.dueSlot
        if reminder.rule == "due", let handlerID = reminder.recipientHandlerID {
            let settings = try Self.notifySettings(db, handlerID: handlerID)
            if settings.delivery == .digest {
                let at = nextDigest(after: max(reminder.dueSlot, now), secondOfDay: settings.digestAt ?? rules.digestAt)
                key = "digest:\(handlerID):\(Self.milliseconds(at))"
                due = at
            }
        }
        if let job = try Row.fetchOne(db, sql: "SELECT id, state, dueAt FROM job WHERE idempotencyKey = ?", arguments: [key]) {
            let state: String = job["state"]
            if state == "pending" { return key }
            if state == "cancelled" && key.hasPrefix("digest:") {
                // The digest lost its last item earlier; it is wanted again.
                try db.execute(sql: "UPDATE job SET state = 'pending', updatedAt = ? WHERE id = ?", arguments: [now, job["id"] as Int64])
                jobs.add(DueJob(id: job["id"], kind: Self.reminderFireKind, dueAt: job["dueAt"]))
                return key
            }
            // That job ran already (or was cancelled): this reminder gets a job of its own.
            key = "remind:\(reminder.id!):\(Self.milliseconds(now))"
            due = max(reminder.dueSlot, now)
        }
        try insertFireJob(db, key: key, due: due, now: now, jobs: jobs)
        return key
    }

    func insertFireJob(_ db: Database, key: String, due: Date, now: Date, jobs: JobCollector?) throws {
        var job = JobRecord(id: nil, kind: Self.reminderFireKind, payload: WireJSON.text(ReminderFirePayload(key: key)), dueAt: due, idempotencyKey: key,
                            state: "pending", attempts: 0, leaseOwner: nil, leaseExpiresAt: nil, lastError: nil, createdAt: now, updatedAt: now)
        try job.insert(db)
        jobs?.add(DueJob(id: job.id!, kind: job.kind, dueAt: due))
    }

    func cancelFireJobIfUnused(_ db: Database, key: String?, now: Date) throws {
        guard let key else { return }
        let used = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM reminder WHERE fireKey = ? AND state = 'planned')", arguments: [key]) ?? false
        if !used {
            try db.execute(sql: "UPDATE job SET state = 'cancelled', updatedAt = ? WHERE idempotencyKey = ? AND state = 'pending'", arguments: [now, key])
        }
    }

    /// The first digest time (local `secondOfDay`) at or after `date`.
    func nextDigest(after date: Date, secondOfDay: Int) -> Date {
        let calendar = time.calendar
        let start = calendar.startOfDay(for: date)
        let today = calendar.date(byAdding: .second, value: secondOfDay, to: start) ?? date
        if today >= date { return today }
        let tomorrow = calendar.date(byAdding: .day, value: 1, to: start) ?? date
        return calendar.date(byAdding: .second, value: secondOfDay, to: tomorrow) ?? date
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func notifySettings(_ db: Database, handlerID: Int64) throws -> HandlerNotifySettings {
        var settings = HandlerNotifySettings()
        guard let row = try Row.fetchOne(db, sql: "SELECT channels, quietHours, delivery, digestAt FROM handlerNotify WHERE handlerID = ?",
                                         arguments: [handlerID]) else { return settings }
        let channels: String = row["channels"]
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        settings.channels = (try? decoder.decode([ChannelConsent].self, from: Data(channels.utf8))) ?? []
        settings.quietHours = (row["quietHours"] as String?).flatMap(DayWindow.init(parsing:))
        settings.delivery = DeliveryMode(rawValue: row["delivery"]) ?? .immediate
        settings.digestAt = (row["digestAt"] as String?).flatMap(DayWindow.secondOfDay)
        return settings
    }

    // MARK: Sending

    /// What a reminder.fire job does: the planned reminders under `fireKey` are checked again (the
    /// one decision), rendered by `render` for their recipients, and queued as notify jobs, in one
    /// transaction. Returns the notify jobs made (for the scheduler), how many reminders went out,
    /// and the cases whose escalation went out (for the journal's catalogued event).
    public func dispatchReminders(fireKey: String, render: @escaping @Sendable (ReminderBatch) throws -> [OutgoingMessage]) async throws
        -> (jobs: [DueJob], sent: Int, skipped: Int, escalatedCases: [Int64]) {
        let now = time.now()
        let rules = reminderRules
        let alertHandlers = reminderHub.state.withLock { $0.alertHandlers }
        return try await pool.write { db in
            let reminders = try ReminderRecord.filter(Column("fireKey") == fireKey && Column("state") == "planned").order(Column("dueSlot"), Column("id")).fetchAll(db)
            var jobs: [DueJob] = []
            var sent = 0
            var skipped = 0
            var escalatedCases: [Int64] = []
            for (recipient, group) in Dictionary(grouping: reminders, by: \.recipient).sorted(by: { $0.key < $1.key }) {
                var items: [ReminderItem] = []
                var kept: [ReminderRecord] = []
                for var reminder in group {
                    if let reason = try self.stillWanted(db, reminder, rules: rules) {
                        reminder.state = "cancelled"
                        reminder.note = reason
                        reminder.updatedAt = now
                        try reminder.update(db)
                        continue
                    }
                    items.append(try Self.item(db, reminder))
                    kept.append(reminder)
                }
                guard !kept.isEmpty else { continue }
                var recipients: [ReminderRecipient] = []
                if let handlerID = kept[0].recipientHandlerID {
                    if let handler = try HandlerRecord.fetchOne(db, key: handlerID) {
                        recipients.append(ReminderRecipient(handler: handler, settings: try Self.notifySettings(db, handlerID: handlerID)))
                    }
                } else {
                    for code in alertHandlers {
                        if let handler = try HandlerRecord.filter(Column("code") == code && Column("active") == true).fetchOne(db) {
                            recipients.append(ReminderRecipient(handler: handler, settings: try Self.notifySettings(db, handlerID: handler.id!)))
                        }
                    }
                }
                let purpose: ReminderBatch.Purpose
                if fireKey.hasPrefix("late:") {
                    purpose = .late
                } else if fireKey.hasPrefix("digest:") || kept.count > 1 {
                    purpose = .digest
                } else {
                    purpose = kept[0].rule == "escalation" ? .escalation : .reminder
                }
                let batch = ReminderBatch(fireKey: fireKey, purpose: purpose, messageBase: Self.messageBase(fireKey: fireKey, recipient: recipient, first: kept[0]),
                                          recipients: recipients, toAdmins: kept[0].recipientHandlerID == nil, items: items)
                let messages = try render(batch)
                guard let first = messages.first else {
                    for var reminder in kept {
                        reminder.state = "skipped"
                        reminder.note = "no channel with recorded consent and an address"
                        reminder.updatedAt = now
                        try reminder.update(db)
                    }
                    skipped += kept.count
                    continue
                }
                var firstJobID: Int64?
                for message in messages {
                    if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM job WHERE idempotencyKey = ?", arguments: [message.idempotencyKey]) {
                        if message == first { firstJobID = existing }
                        continue
                    }
                    var job = JobRecord(id: nil, kind: "notify.\(message.channel)", payload: message.payload, dueAt: message.dueAt,
                                        idempotencyKey: message.idempotencyKey, state: "pending", attempts: 0, leaseOwner: nil,
                                        leaseExpiresAt: nil, lastError: nil, createdAt: now, updatedAt: now)
                    try job.insert(db)
                    if message == first { firstJobID = job.id }
                    jobs.append(DueJob(id: job.id!, kind: job.kind, dueAt: job.dueAt))
                }
                let kawald = Actor.system(pid: Int64(ProcessInfo.processInfo.processIdentifier))
                for (var reminder, item) in zip(kept, items) {
                    reminder.state = "queued"
                    reminder.channel = first.channel
                    reminder.messageID = first.messageID
                    reminder.jobID = firstJobID
                    reminder.updatedAt = now
                    try reminder.update(db)
                    // The message names the case and the person's first name: a read of personal data, by kawald.
                    try AuditLog.append(db, actor: kawald, action: "reminder.send", object: "case/\(item.caseCode)",
                                        detail: "reminder/\(reminder.id!) \(reminder.rule) to \(reminder.recipient) by \(first.channel), message \(first.messageID)")
                }
                sent += kept.count
                escalatedCases += kept.filter { $0.rule == "escalation" }.map(\.caseID)
            }
            return (jobs, sent, skipped, escalatedCases)
        }
    }

    /// Why a planned reminder should no longer go out, or nil.
    func stillWanted(_ db: Database, _ reminder: ReminderRecord, rules: ReminderRules) throws -> String? {
        guard let record = try CaseRecord.fetchOne(db, key: reminder.caseID) else { return "the case is gone" }
        guard let status = try String.fetchOne(db, sql: "SELECT status FROM followUp WHERE id = ?", arguments: [reminder.followUpID]),
              status == "planned" else { return "the follow-up was recorded" }
        let recipient = try reminder.recipientHandlerID.flatMap { try HandlerRecord.fetchOne(db, key: $0) }
        return try Self.reminderRefusal(db, case: record, recipient: recipient, rules: rules)
    }

    static func item(_ db: Database, _ reminder: ReminderRecord) throws -> ReminderItem {
        let row = try Row.fetchOne(db, sql: """
            SELECT c.code, p.name, f.kind, f.dueAt, h.name AS handlerName FROM followUp f
            JOIN caseFile c ON c.id = f.caseID JOIN person p ON p.id = c.personID LEFT JOIN handler h ON h.id = c.handlerID
            WHERE f.id = ?
            """, arguments: [reminder.followUpID])!
        let name: String = row["name"]
        return ReminderItem(reminderID: reminder.id!, followUpID: reminder.followUpID, rule: reminder.rule, caseCode: row["code"], firstName: firstName(name),
                            followUpKind: row["kind"], dueAt: row["dueAt"], handlerName: (row["handlerName"] as String?).map(firstName))
    }

    /// The first word of a name: messages carry no more of it.
    public static func firstName(_ name: String) -> String {
        String(name.trimmingSpaces.split(separator: " ").first ?? "")
    }

    /// A stable message id for what a fire key sends to one recipient, e.g. `r-1842-20261201T0100`.
    static func messageBase(fireKey: String, recipient: String, first: ReminderRecord) -> String {
        let parts = fireKey.split(separator: ":").map(String.init)
        let slot = compactStamp(first.dueSlot)
        switch parts.first {
        case "digest": return "d-\(parts[1])-\(parts[2])"
        case "late": return "t-\(parts[1].replacingOccurrences(of: "handler/", with: ""))-\(parts[2])"
        default:
            let prefix = first.rule == "escalation" ? "e" : "r"
            return parts.count > 2 ? "\(prefix)-\(parts[1])-\(slot)-\(parts[2])" : "\(prefix)-\(parts[1])-\(slot)"
        }
    }

    static func compactStamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return TimeContext.zeroPadded(p.year ?? 0, 4) + TimeContext.zeroPadded(p.month ?? 0, 2) + TimeContext.zeroPadded(p.day ?? 0, 2) + "T"
            + TimeContext.zeroPadded(p.hour ?? 0, 2) + TimeContext.zeroPadded(p.minute ?? 0, 2)
    }

    /// After downtime, before the scheduler loads its jobs: reminder.fire jobs that fell due longer
    /// ago than the staleness window are folded into one overdue ("terlambat") digest per recipient,
    /// due now; their own jobs become stale. Returns how many reminders were folded.
    public func foldLateReminders(staleBefore: Date) async throws -> Int {
        let now = time.now()
        return try await pool.write { db in
            let keys = try String.fetchAll(db, sql: "SELECT idempotencyKey FROM job WHERE kind = ? AND state = 'pending' AND dueAt < ?",
                                           arguments: [Self.reminderFireKind, staleBefore])
            guard !keys.isEmpty else { return 0 }
            var folded: [ReminderRecord] = []
            for chunk in keys.chunked(into: 500) {
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                folded += try ReminderRecord.fetchAll(db, sql: "SELECT * FROM reminder WHERE state = 'planned' AND fireKey IN (\(placeholders))",
                                                      arguments: StatementArguments(Array(chunk)))
                var arguments: StatementArguments = [now]
                arguments += StatementArguments(Array(chunk))
                try db.execute(sql: """
                    UPDATE job SET state = 'stale', updatedAt = ?, lastError = 'missed while kawald was stopped; sent in the overdue digest'
                    WHERE state = 'pending' AND idempotencyKey IN (\(placeholders))
                    """, arguments: arguments)
            }
            for (recipient, group) in Dictionary(grouping: folded, by: \.recipient) {
                let key = "late:\(recipient):\(group.map { $0.id! }.min()!)"
                for var reminder in group {
                    reminder.fireKey = key
                    reminder.updatedAt = now
                    try reminder.update(db)
                }
                if try Int64.fetchOne(db, sql: "SELECT id FROM job WHERE idempotencyKey = ?", arguments: [key]) == nil {
                    try self.insertFireJob(db, key: key, due: now, now: now, jobs: nil)
                }
            }
            return folded.count
        }
    }

    // MARK: Reading and steering

    /// Reminders, newest first, with their delivery state; `state` filters on that state.
    public func reminders(handler: String?, state: String?, caseID: Int64? = nil, limit: Int?, actor: Actor) async throws -> [ReminderView] {
        guard actor.isAdmin else { throw StoreError.forbidden("only administrators list reminders") }
        let pageSize = Self.pageLimit(limit)
        let now = time.now()
        return try await pool.write { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let handler {
                guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM handler WHERE code = ?", arguments: [handler]) else {
                    throw StoreError.invalid(field: "handler", message: "no handler with code '\(handler)'; 'kawalctl handler list' shows them")
                }
                conditions.append("(r.recipient = ? OR c.handlerID = ?)")
                _ = arguments.append(contentsOf: ["handler/\(id)", id])
            }
            if let caseID {
                conditions.append("r.caseID = ?")
                _ = arguments.append(contentsOf: [caseID])
            }
            let sql = """
                SELECT r.*, c.code AS caseCode, j.state AS jobState, j.dueAt AS jobDue, j.lastError AS jobError,
                       fj.dueAt AS fireDue, h.code AS recipientCode
                FROM reminder r JOIN caseFile c ON c.id = r.caseID
                LEFT JOIN job j ON j.id = r.jobID
                LEFT JOIN job fj ON fj.idempotencyKey = r.fireKey
                LEFT JOIN handler h ON 'handler/' || h.id = r.recipient
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) ORDER BY r.id DESC
                """
            var views: [ReminderView] = []
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try cursor.next(), views.count < pageSize {
                let record = try ReminderRecord(row: row)
                let delivery = Self.delivery(record, jobState: row["jobState"], jobDue: row["jobDue"], now: now)
                if let state, state != delivery { continue }
                let sendAt: Date? = record.state == "planned" ? row["fireDue"] : row["jobDue"]
                views.append(ReminderView(record: record, caseCode: row["caseCode"], recipientLabel: row["recipientCode"] ?? record.recipient,
                                          delivery: delivery, sendAt: sendAt, lastError: row["jobError"] ?? record.note))
            }
            try AuditLog.append(db, actor: actor, action: "reminder.list", object: "reminder", detail: "\(views.count) shown")
            return views
        }
    }

    /// A queued reminder's state is its notify job's.
    static func delivery(_ record: ReminderRecord, jobState: String?, jobDue: Date?, now: Date) -> String {
        guard record.state == "queued" else { return record.state }
        switch jobState {
        case "done": return "sent"
        case "dead", "cancelled", "stale": return "failed"
        case "leased": return "sending"
        case "pending": return (jobDue ?? now) > now ? "held" : "queued"
        default: return "queued"
        }
    }

    public static let reminderDeliveryStates = ["planned", "queued", "held", "sending", "sent", "failed", "skipped", "cancelled"]

    /// The batches a case's planned reminders would make if they fired now, for `reminder preview`.
    public func previewReminders(caseID: Int64?, code: String?, actor: Actor) async throws -> [ReminderBatch] {
        guard actor.isAdmin else { throw StoreError.forbidden("only administrators preview reminders") }
        let alertHandlers = reminderHub.state.withLock { $0.alertHandlers }
        return try await pool.write { db in
            let record = try Self.visibleCase(id: caseID, code: code, actor: actor, db)
            let reminders = try ReminderRecord.filter(Column("caseID") == record.id! && Column("state") == "planned").order(Column("dueSlot")).fetchAll(db)
            var batches: [ReminderBatch] = []
            for reminder in reminders {
                var recipients: [ReminderRecipient] = []
                if let handlerID = reminder.recipientHandlerID, let handler = try HandlerRecord.fetchOne(db, key: handlerID) {
                    recipients = [ReminderRecipient(handler: handler, settings: try Self.notifySettings(db, handlerID: handlerID))]
                } else if reminder.recipientHandlerID == nil {
                    for code in alertHandlers {
                        if let handler = try HandlerRecord.filter(Column("code") == code).fetchOne(db) {
                            recipients.append(ReminderRecipient(handler: handler, settings: try Self.notifySettings(db, handlerID: handler.id!)))
                        }
                    }
                }
                batches.append(ReminderBatch(fireKey: reminder.fireKey ?? "", purpose: reminder.rule == "escalation" ? .escalation : .reminder,
                                             messageBase: "preview-\(reminder.id!)", recipients: recipients,
                                             toAdmins: reminder.recipientHandlerID == nil, items: [try Self.item(db, reminder)]))
            }
            try AuditLog.append(db, actor: actor, action: "reminder.preview", object: "case/\(record.code)")
            return batches
        }
    }

    /// Sends a planned reminder now instead of at its time (its digest, if any, goes without it).
    public func sendReminderNow(id: Int64, actor: Actor) async throws -> ReminderRecord {
        guard actor.isAdmin else { throw StoreError.forbidden("only administrators send reminders") }
        let now = time.now()
        return try await writeWithReminders { db, jobs in
            guard var reminder = try ReminderRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "reminder/\(id)") }
            guard reminder.state == "planned" else {
                throw StoreError.invalid(field: "id", message: "reminder/\(id) is \(reminder.state); only planned reminders are sent early ('kawalctl job retry' resends a failed one)")
            }
            let previous = reminder.fireKey
            let key = "remind:\(id):\(Self.milliseconds(now))"
            try self.insertFireJob(db, key: key, due: now, now: now, jobs: jobs)
            reminder.fireKey = key
            reminder.updatedAt = now
            try reminder.update(db)
            try self.cancelFireJobIfUnused(db, key: previous, now: now)
            let code = try String.fetchOne(db, sql: "SELECT code FROM caseFile WHERE id = ?", arguments: [reminder.caseID]) ?? ""
            try AuditLog.append(db, actor: actor, action: "reminder.send_now", object: "case/\(code)", detail: "reminder/\(id)")
            return reminder
        }
    }

    // MARK: Handler settings

    /// The handlers named in [alerts] handlers (active ones), with their settings.
    public func alertRecipients() async throws -> [ReminderRecipient] {
        let codes = reminderHub.state.withLock { $0.alertHandlers }
        return try await pool.read { db in
            try codes.compactMap { code in
                guard let handler = try HandlerRecord.filter(Column("code") == code && Column("active") == true).fetchOne(db) else { return nil }
                return ReminderRecipient(handler: handler, settings: try Self.notifySettings(db, handlerID: handler.id!))
            }
        }
    }

    public func handlerNotify(code: String) async throws -> ReminderRecipient {
        try await pool.read { db in
            guard let handler = try HandlerRecord.filter(Column("code") == code).fetchOne(db) else { throw StoreError.notFound(object: "handler/\(code)") }
            return ReminderRecipient(handler: handler, settings: try Self.notifySettings(db, handlerID: handler.id!))
        }
    }

    /// Changes how a handler is reminded. `channels` (in order of preference) replaces the list; a
    /// channel not consented to before needs `consentMethod`, and the consent is recorded now.
    public func setHandlerNotify(code: String, channels: [String]?, consentMethod: String?, quietHours: String?, delivery: String?,
                                 digestAt: String?, actor: Actor) async throws -> ReminderRecipient {
        guard actor.isAdmin else { throw StoreError.forbidden("only administrators change how handlers are reminded") }
        if let channels {
            for channel in channels where !ChannelConsent.channels.contains(channel) {
                throw StoreError.invalid(field: "channels", message: "'\(channel)' is not a channel: expected \(ChannelConsent.channels.joined(separator: ", "))")
            }
            guard Set(channels).count == channels.count else { throw StoreError.invalid(field: "channels", message: "a channel is named twice") }
        }
        if let quietHours, !quietHours.isEmpty, DayWindow(parsing: quietHours) == nil {
            throw StoreError.invalid(field: "quiet_hours", message: "'\(quietHours)' is not a window: expected HH:MM-HH:MM (e.g. 21:00-07:00), or empty for the default")
        }
        if let delivery, DeliveryMode(rawValue: delivery) == nil {
            throw StoreError.invalid(field: "delivery", message: "expected immediate or digest")
        }
        if let digestAt, !digestAt.isEmpty, DayWindow.secondOfDay(digestAt) == nil {
            throw StoreError.invalid(field: "digest_at", message: "'\(digestAt)' is not a time of day: expected HH:MM (e.g. 07:00), or empty for the default")
        }
        let now = time.now()
        return try await pool.write { db in
            guard let handler = try HandlerRecord.filter(Column("code") == code).fetchOne(db) else { throw StoreError.notFound(object: "handler/\(code)") }
            var settings = try Self.notifySettings(db, handlerID: handler.id!)
            if let channels {
                var consents: [ChannelConsent] = []
                for channel in channels {
                    if let known = settings.channels.first(where: { $0.channel == channel }) {
                        consents.append(known)
                        continue
                    }
                    guard let method = consentMethod, !method.trimmingSpaces.isEmpty else {
                        throw StoreError.invalid(field: "consent_method", message: "handler \(code) has not agreed to reminders by \(channel) yet: say how they agreed (written, verbal, message)")
                    }
                    if channel == "email" && (handler.email ?? "").isEmpty {
                        throw StoreError.invalid(field: "channels", message: "handler \(code) has no e-mail address; add one with 'kawalctl handler update \(code) --email …'")
                    }
                    if channel != "email" && (handler.phone ?? "").isEmpty {
                        throw StoreError.invalid(field: "channels", message: "handler \(code) has no phone number; add one with 'kawalctl handler update \(code) --phone …'")
                    }
                    consents.append(ChannelConsent(channel: channel, consentAt: now, method: method, recordedBy: actor.label))
                }
                settings.channels = consents
            }
            if let quietHours { settings.quietHours = quietHours.isEmpty ? nil : DayWindow(parsing: quietHours) }
            if let delivery { settings.delivery = DeliveryMode(rawValue: delivery)! }
            if let digestAt { settings.digestAt = digestAt.isEmpty ? nil : DayWindow.secondOfDay(digestAt) }
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            let channelsJSON = String(decoding: try encoder.encode(settings.channels), as: UTF8.self)
            try db.execute(sql: """
                INSERT INTO handlerNotify (handlerID, channels, quietHours, delivery, digestAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (handlerID) DO UPDATE SET channels = excluded.channels, quietHours = excluded.quietHours,
                  delivery = excluded.delivery, digestAt = excluded.digestAt, updatedAt = excluded.updatedAt
                """, arguments: [handler.id!, channelsJSON, settings.quietHours?.description, settings.delivery.rawValue,
                                 settings.digestAt.map(DayWindow.clock), now])
            try AuditLog.append(db, actor: actor, action: "handler.notify_settings", object: "handler/\(code)",
                                detail: "channels \(settings.channels.map(\.channel).joined(separator: ",")); \(settings.delivery.rawValue)")
            return ReminderRecipient(handler: handler, settings: settings)
        }
    }

    /// Recomputes the reminders of every open case of a handler (their supervisor or settings changed).
    func handlerChanged(_ db: Database, handlerID: Int64, now: Date, jobs: JobCollector) throws {
        guard reminderRules.enabled else { return }
        let cases = try Int64.fetchAll(db, sql: """
            SELECT id FROM caseFile WHERE handlerID = ? AND status IN ('new','assessment','in_progress','referred','reopened')
            """, arguments: [handlerID])
        for caseID in cases { try recomputeReminders(db, caseID: caseID, now: now, jobs: jobs) }
    }
}
