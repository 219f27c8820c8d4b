import Foundation
import GRDB
import KawalDomain
import Synchronization

/// One reminder: about a follow-up (its subject), by a rule, for a due slot, to a recipient.
public struct ReminderRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "reminder"
    public var id: Int64?
    public var caseID: Int64
    public var followUpID: Int64
    public var rule: ReminderRule
    public var dueSlot: Date
    public var recipient: ReminderAddressee
    public var state: ReminderState
    /// The reminder.fire job that sends it (`FireKey`).
    public var fireKey: String?
    public var channel: String?
    public var messageID: String?
    public var jobID: Int64?
    public var note: String?
    public var createdAt: Date
    public var updatedAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// What the planner compares it by.
    var wanted: WantedReminder { WantedReminder(followUpID: followUpID, rule: rule, dueSlot: dueSlot, addressee: recipient) }
}

/// A reminder on its way out: what a message may say about it (case code and first name only).
public struct ReminderItem: Sendable, Equatable {
    public var reminderID: Int64
    public var followUpID: Int64
    public var rule: ReminderRule
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
    public typealias Purpose = ReminderBatchPurpose

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
    public var delivery: ReminderDelivery
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
