#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The states and vocabularies of Kawal's records, one enum each. Where an io.kawal interface
/// declares the same enum, its values are the interface's, in its order (a test compares them).

/// Where a case stands. io.kawal.Cases `Status`.
public enum CaseStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case new, assessment
    case inProgress = "in_progress"
    case referred, resolved, closed, withdrawn, reopened

    /// Statuses in which a case still needs work: follow-ups are planned and reminded only then.
    public var isOpen: Bool {
        switch self {
        case .new, .assessment, .inProgress, .referred, .reopened: return true
        case .resolved, .closed, .withdrawn: return false
        }
    }

    public static let open: [CaseStatus] = allCases.filter(\.isOpen)

    public var description: String { rawValue }
}

/// What a follow-up is. io.kawal.Cases `FollowUpKind`.
public enum FollowUpKind: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case visit, call, accompany
    case documentPickup = "document_pickup"
    case checkOutcome = "check_outcome"

    public var description: String { rawValue }
}

/// Where a follow-up stands. io.kawal.Cases `FollowUpStatus`.
public enum FollowUpStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case planned, done, missed, cancelled

    /// What a follow-up may be recorded as.
    public static let outcomes: [FollowUpStatus] = [.done, .missed, .cancelled]

    public var description: String { rawValue }
}

/// Where a referral to a service stands. io.kawal.Cases `ReferralStatus`.
public enum ReferralStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case sent, accepted, rejected, done, revoked

    public var description: String { rawValue }
}

/// A durable job's state. io.kawal.Jobs `JobState`.
public enum JobState: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case pending, leased, done, dead, stale, cancelled

    /// Finished: nothing will run it again unless an administrator retries it.
    public var isFinished: Bool {
        switch self {
        case .pending, .leased: return false
        case .done, .dead, .stale, .cancelled: return true
        }
    }

    public static let finished: [JobState] = allCases.filter(\.isFinished)
    /// The finished states an administrator may send back to pending.
    public static let retryable: [JobState] = [.dead, .stale, .cancelled]

    public var description: String { rawValue }
}

/// A plugin's life in kawald. io.kawal.Jobs `PluginState`.
public enum PluginState: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case starting, running
    case backingOff = "backing_off"
    case failed, disabled, stopped

    public var description: String { rawValue }
}

/// A stored reminder's own state (its delivery, once queued, follows its notify job).
public enum ReminderState: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Waiting for its fire job.
    case planned
    /// Rendered and handed to a notifier as a notify job.
    case queued
    /// Its fire job ran, but the recipient has no channel with consent and an address.
    case skipped
    /// No longer wanted: the follow-up was recorded, moved or reassigned, or the case closed.
    case cancelled

    public var description: String { rawValue }
}

/// Why a reminder is sent.
public enum ReminderRule: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// The follow-up is due (less the configured lead): to the case's handler.
    case due
    /// The follow-up is overdue past the escalation limit: to the handler's supervisor, else the admins.
    case escalation

    public var description: String { rawValue }
}

/// A reminder as an administrator sees it: its own state, or its notify job's once queued.
/// io.kawal.Reminders `DeliveryState`.
public enum ReminderDelivery: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case planned, queued, held, sending, sent, failed, skipped, cancelled

    /// A reminder's delivery: a queued reminder's is its notify job's (`held` while the job waits
    /// for quiet hours to end).
    public init(reminder state: ReminderState, job: JobState?, jobDue: Date?, now: Date) {
        switch state {
        case .planned: self = .planned
        case .skipped: self = .skipped
        case .cancelled: self = .cancelled
        case .queued:
            switch job {
            case .done: self = .sent
            case .dead, .cancelled, .stale: self = .failed
            case .leased: self = .sending
            case .pending: self = (jobDue ?? now) > now ? .held : .queued
            case nil: self = .queued
            }
        }
    }

    public var description: String { rawValue }
}

/// A channel reminders reach a handler by.
public enum NotifyChannel: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case email, sms, webhook

    /// The job kind its notifier plugin takes: `notify.sms`.
    public var jobKind: String { "notify.\(rawValue)" }

    public var description: String { rawValue }
}

/// The job kinds kawald itself makes and runs.
public enum InternalJobKind: String, Sendable, CaseIterable {
    /// Sends the reminders planned under one fire key.
    case reminderFire = "reminder.fire"
}

/// What a case is about. io.kawal.Cases `CaseType`.
public enum CaseType: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case document, bpjs
    case socialAssistance = "social_assistance"
    case violence
    case childMarriage = "child_marriage"
    case other

    public var description: String { rawValue }
}

/// How much danger a case is in. io.kawal.Cases `Risk`.
public enum RiskLevel: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case low, medium, high

    public var description: String { rawValue }
}

extension CaseIterable where Self: RawRepresentable, RawValue == String {
    /// The values, for messages: `low, medium, high`.
    public static var valueList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
