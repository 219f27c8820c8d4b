#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The idempotency key of a reminder.fire job: which reminders it sends, and when it was made.
public enum FireKey: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// One reminder, at its slot: `remind:ID`.
    case reminder(Int64)
    /// One reminder again, after its first job ran or was cancelled, or sent early: `remind:ID:MS`.
    case reminderAgain(Int64, at: Int64)
    /// A handler's daily digest: `digest:HANDLER:MS`.
    case digest(handlerID: Int64, at: Int64)
    /// The overdue ("terlambat") digest after downtime: `late:RECIPIENT:FIRST-REMINDER`.
    case late(ReminderAddressee, firstReminderID: Int64)

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("remind", 2): guard let id = Int64(parts[1]) else { return nil }; self = .reminder(id)
        case ("remind", 3): guard let id = Int64(parts[1]), let at = Int64(parts[2]) else { return nil }; self = .reminderAgain(id, at: at)
        case ("digest", 3): guard let id = Int64(parts[1]), let at = Int64(parts[2]) else { return nil }; self = .digest(handlerID: id, at: at)
        case ("late", 3): guard let to = ReminderAddressee(parts[1]), let id = Int64(parts[2]) else { return nil }; self = .late(to, firstReminderID: id)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .reminder(let id): return "remind:\(id)"
        case .reminderAgain(let id, let at): return "remind:\(id):\(at)"
        case .digest(let handler, let at): return "digest:\(handler):\(at)"
        case .late(let to, let first): return "late:\(to):\(first)"
        }
    }
}

/// Where a planned reminder's fire job goes.
public enum FireJobChoice: Sendable, Equatable {
    /// A pending job under this key sends it already.
    case join(FireKey)
    /// The digest under this key lost its last item earlier and was cancelled; it is wanted again.
    case revive(FireKey)
    /// A new job under this key, due then.
    case create(FireKey, due: Date)
}

/// The schedule of reminders: digest times, fire jobs, and how one fire job's reminders go out.
public struct ReminderSchedule: Sendable {
    /// The deployment's calendar (its time zone): digests go out at a local time of day.
    public var calendar: Calendar

    public init(calendar: Calendar) {
        self.calendar = calendar
    }

    /// The first digest time (local `secondOfDay`) at or after `date`.
    public func nextDigest(after date: Date, secondOfDay: Int) -> Date {
        let start = calendar.startOfDay(for: date)
        let today = calendar.date(byAdding: .second, value: secondOfDay, to: start) ?? date
        if today >= date { return today }
        let tomorrow = calendar.date(byAdding: .day, value: 1, to: start) ?? date
        return calendar.date(byAdding: .second, value: secondOfDay, to: tomorrow) ?? date
    }

    /// The fire job a reminder would join: its own at its slot, or for a handler who takes a daily
    /// digest, that digest (a "due" reminder only: escalations go at once).
    public func fireJob(reminderID: Int64, rule: ReminderRule, dueSlot: Date, addressee: ReminderAddressee,
                        settings: HandlerNotifySettings?, rules: ReminderRules, now: Date) -> (key: FireKey, due: Date) {
        if rule == .due, case .handler(let handlerID) = addressee, let settings, settings.delivery == .digest {
            let at = nextDigest(after: max(dueSlot, now), secondOfDay: settings.digestAt ?? rules.digestAt)
            return (.digest(handlerID: handlerID, at: Milliseconds.of(at)), at)
        }
        return (.reminder(reminderID), dueSlot)
    }

    /// What to do with the job the reminder would join, given that job's state (nil: no such job).
    public func choose(_ candidate: (key: FireKey, due: Date), existing: JobState?, reminderID: Int64, dueSlot: Date, now: Date) -> FireJobChoice {
        guard let existing else { return .create(candidate.key, due: candidate.due) }
        if existing == .pending { return .join(candidate.key) }
        if existing == .cancelled, case .digest = candidate.key { return .revive(candidate.key) }
        // That job ran already (or was cancelled): this reminder gets a job of its own.
        return .create(.reminderAgain(reminderID, at: Milliseconds.of(now)), due: max(dueSlot, now))
    }
}

extension ReminderBatchPurpose {
    /// What a fire job's message to one recipient is: the overdue digest, a digest (its key says so,
    /// or it carries several reminders), else one reminder or escalation.
    public init(fireKey: FireKey, count: Int, firstRule: ReminderRule) {
        if case .late = fireKey {
            self = .late
        } else if case .digest = fireKey {
            self = .digest
        } else if count > 1 {
            self = .digest
        } else {
            self = firstRule == .escalation ? .escalation : .reminder
        }
    }
}

/// What a batch of reminders to one recipient is.
public enum ReminderBatchPurpose: String, Sendable {
    case reminder, digest, escalation, late
}

/// A stable message id for what a fire key sends to one recipient, e.g. `r-1842-20261201T0100`:
/// the same across attempts, so that a notifier drops a repeat.
public func reminderMessageBase(fireKey: FireKey, firstRule: ReminderRule, firstSlot: Date) -> String {
    let prefix = firstRule == .escalation ? "e" : "r"
    switch fireKey {
    case .digest(let handler, let at): return "d-\(handler)-\(at)"
    case .late(let to, let first): return "t-\(to.handlerID.map(String.init) ?? "\(to)")-\(first)"
    case .reminder(let id): return "\(prefix)-\(id)-\(UTCStamp.compact(firstSlot))"
    case .reminderAgain(let id, let at): return "\(prefix)-\(id)-\(UTCStamp.compact(firstSlot))-\(at)"
    }
}

/// `20261201T0100`: a UTC minute, for message ids.
public enum UTCStamp {
    public static func compact(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T" + pad(secondOfDay / 3600, 2) + pad(secondOfDay / 60 % 60, 2)
    }

    /// Year, month, day of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
