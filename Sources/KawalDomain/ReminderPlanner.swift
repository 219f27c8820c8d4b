#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What reminder planning reads about one case: its state, its handler and their supervisor, and
/// its planned follow-ups.
public struct CaseReminderFacts: Sendable, Equatable {
    public struct FollowUp: Sendable, Equatable {
        public var id: Int64
        public var dueAt: Date

        public init(id: Int64, dueAt: Date) {
            self.id = id
            self.dueAt = dueAt
        }
    }

    public var status: CaseStatus
    public var personRestricted: Bool
    public var handler: HandlerFacts?
    public var supervisor: HandlerFacts?
    /// The case's follow-ups still planned, soonest first.
    public var plannedFollowUps: [FollowUp]

    public init(status: CaseStatus, personRestricted: Bool, handler: HandlerFacts?, supervisor: HandlerFacts?, plannedFollowUps: [FollowUp]) {
        self.status = status
        self.personRestricted = personRestricted
        self.handler = handler
        self.supervisor = supervisor
        self.plannedFollowUps = plannedFollowUps
    }
}

/// A reminder a case needs: about a follow-up, by a rule, for a due slot, to someone.
public struct WantedReminder: Sendable, Hashable {
    public var followUpID: Int64
    public var rule: ReminderRule
    public var dueSlot: Date
    public var addressee: ReminderAddressee

    public init(followUpID: Int64, rule: ReminderRule, dueSlot: Date, addressee: ReminderAddressee) {
        self.followUpID = followUpID
        self.rule = rule
        self.dueSlot = dueSlot
        self.addressee = addressee
    }

    /// Compared by the millisecond, as stored: a date read back may differ in its last bit.
    public var identity: String { "\(followUpID)/\(rule)/\(Milliseconds.of(dueSlot))/\(addressee)" }
}

/// A reminder already stored for the case, as reconciliation sees it.
public struct StoredReminder: Sendable, Equatable {
    public var id: Int64
    public var wanted: WantedReminder
    public var state: ReminderState

    public init(id: Int64, wanted: WantedReminder, state: ReminderState) {
        self.id = id
        self.wanted = wanted
        self.state = state
    }
}

/// How a case's stored reminders must change to match what it needs now.
public struct ReminderChanges: Sendable, Equatable {
    /// Planned reminders no longer wanted, with the reason kept on them.
    public var cancel: [Int64] = []
    public var cancelNote = ""
    /// Cancelled reminders wanted again (the same follow-up, rule, slot and recipient).
    public var revive: [Int64] = []
    /// Reminders to add.
    public var create: [WantedReminder] = []

    public var isEmpty: Bool { cancel.isEmpty && revive.isEmpty && create.isEmpty }
}

/// Which reminders a case needs, and how its stored reminders change to get there. Pure: the
/// store reads the facts, asks, and writes the answer.
public enum ReminderPlanner {
    /// One "due" reminder per planned follow-up, `lead` before it is due, to the case's handler (to
    /// the administrators while it has none); and, with escalation on and a handler, one escalation
    /// `escalateAfter` past the due time, to the handler's active supervisor, else the administrators.
    /// Nothing while the one decision refuses (returned too, as the reason to cancel).
    public static func wanted(for facts: CaseReminderFacts, rules: ReminderRules) -> (reminders: [WantedReminder], refusal: ReminderRefusal?) {
        if let refusal = ReminderPolicy.refusal(status: facts.status, personRestricted: facts.personRestricted, recipient: facts.handler, rules: rules) {
            return ([], refusal)
        }
        var wanted: [WantedReminder] = []
        guard let handler = facts.handler else {
            for followUp in facts.plannedFollowUps {
                wanted.append(WantedReminder(followUpID: followUp.id, rule: .due, dueSlot: followUp.dueAt.addingTimeInterval(-rules.lead), addressee: .admins))
            }
            return (wanted, nil)
        }
        var escalateTo: ReminderAddressee?
        if rules.escalateAfter != nil {
            if let supervisor = facts.supervisor, supervisor.active {
                escalateTo = .handler(supervisor.id)
            } else {
                escalateTo = .admins
            }
        }
        for followUp in facts.plannedFollowUps {
            wanted.append(WantedReminder(followUpID: followUp.id, rule: .due, dueSlot: followUp.dueAt.addingTimeInterval(-rules.lead),
                                         addressee: .handler(handler.id)))
            if let after = rules.escalateAfter, let escalateTo {
                wanted.append(WantedReminder(followUpID: followUp.id, rule: .escalation, dueSlot: followUp.dueAt.addingTimeInterval(after),
                                             addressee: escalateTo))
            }
        }
        return (wanted, nil)
    }

    /// The changes that bring `stored` (every reminder of the case, oldest first) in line with
    /// `wanted`: planned reminders no longer wanted are cancelled (done, moved, reassigned, closed),
    /// a cancelled one wanted again is revived, and the rest are created. A reminder already queued,
    /// skipped or sent for the same slot is not made again.
    public static func reconcile(stored: [StoredReminder], wanted: [WantedReminder], refusal: ReminderRefusal?) -> ReminderChanges {
        var changes = ReminderChanges()
        changes.cancelNote = refusal?.description ?? "the follow-up was recorded, moved or reassigned"
        let wantedKeys = Set(wanted.map(\.identity))
        for reminder in stored where reminder.state == .planned && !wantedKeys.contains(reminder.wanted.identity) {
            changes.cancel.append(reminder.id)
        }
        // Per slot: a reminder that is not cancelled (it stands), else the first cancelled one (revived).
        var standing = Set<String>()
        var firstCancelled: [String: Int64] = [:]
        for reminder in stored {
            let key = reminder.wanted.identity
            if reminder.state == .cancelled {
                if firstCancelled[key] == nil { firstCancelled[key] = reminder.id }
            } else if reminder.state != .planned || wantedKeys.contains(key) {
                standing.insert(key)
            }
        }
        var seen = Set<String>()
        for want in wanted where seen.insert(want.identity).inserted && !standing.contains(want.identity) {
            if let cancelled = firstCancelled[want.identity] {
                changes.revive.append(cancelled)
            } else {
                changes.create.append(want)
            }
        }
        return changes
    }
}

/// Dates as the store keeps them: whole milliseconds since 1970.
public enum Milliseconds {
    public static func of(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    public static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
