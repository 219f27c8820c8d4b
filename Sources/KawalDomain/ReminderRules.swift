#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A follow-up plan: which cases it applies to, on which occasion, and the follow-ups it creates.
///
/// ```swift
/// var plan = FollowUpPlan(name: "violence", on: .open, kind: .visit, first: 86_400)
/// plan.types = ["violence"]
/// plan.every = 3 * 86_400          // then every 3 days until the case is resolved
/// ```
public struct FollowUpPlan: Sendable, Equatable {
    /// What makes a plan create its first follow-up.
    public enum Occasion: Sendable, Equatable {
        /// The case is opened.
        case open
        /// The case is referred to a service of this code (any service when nil).
        case referral(service: String?)
        /// The case moves to this status.
        case transition(status: CaseStatus)

        public var description: String {
            switch self {
            case .open: return "open"
            case .referral(let service): return service.map { "referral to \($0)" } ?? "referral"
            case .transition(let status): return "transition to \(status)"
            }
        }
    }

    public var name: String
    /// Case types it applies to; empty means every type.
    public var types: [CaseType] = []
    /// Subtypes it applies to; empty means every subtype.
    public var subtypes: [String] = []
    /// Risk levels it applies to; empty means every level.
    public var risks: [RiskLevel] = []
    /// When set, only cases whose urgent-safety flag has this value.
    public var urgent: Bool?
    public var on: Occasion
    /// The kind of follow-up created.
    public var kind: FollowUpKind
    /// Seconds from the occasion to the first follow-up.
    public var first: TimeInterval
    /// Seconds from one follow-up being recorded to the next; nil for a single follow-up.
    public var every: TimeInterval?

    public init(name: String, on: Occasion, kind: FollowUpKind, first: TimeInterval) {
        self.name = name
        self.on = on
        self.kind = kind
        self.first = first
    }

    /// Whether the plan applies to a case like this one (an unknown type or risk matches only a plan for every type or risk).
    public func matches(type: CaseType?, subtype: String?, risk: RiskLevel?, urgentSafety: Bool) -> Bool {
        if !types.isEmpty && !types.contains(where: { $0 == type }) { return false }
        if !subtypes.isEmpty && !subtypes.contains(subtype ?? "") { return false }
        if !risks.isEmpty && !risks.contains(where: { $0 == risk }) { return false }
        if let urgent, urgent != urgentSafety { return false }
        return true
    }

    /// The plans shipped for the seed's work; `[plans.NAME]` in kawald.toml replaces them.
    public static let defaults: [FollowUpPlan] = {
        var violence = FollowUpPlan(name: "violence", on: .open, kind: .visit, first: 86_400)
        violence.types = [.violence]
        violence.every = 3 * 86_400
        var urgent = FollowUpPlan(name: "urgent-safety", on: .open, kind: .visit, first: 86_400)
        urgent.types = [.document, .bpjs, .socialAssistance, .other]
        urgent.urgent = true
        urgent.every = 3 * 86_400
        var childMarriage = FollowUpPlan(name: "child-marriage", on: .open, kind: .visit, first: 86_400)
        childMarriage.types = [.childMarriage]
        childMarriage.every = 7 * 86_400
        var documents = FollowUpPlan(name: "civil-documents", on: .referral(service: "dukcapil"), kind: .checkOutcome, first: 7 * 86_400)
        documents.types = [.document]
        documents.subtypes = ["akta_lahir", "ktp", "kk", "kia"]
        var bpjs = FollowUpPlan(name: "bpjs", on: .referral(service: "bpjs"), kind: .checkOutcome, first: 14 * 86_400)
        bpjs.types = [.bpjs]
        return [bpjs, childMarriage, documents, urgent, violence]
    }()
}

/// A handler's wish for how reminders reach them.
public enum DeliveryMode: String, Sendable, Equatable, CaseIterable {
    /// One message per reminder, when it is due.
    case immediate
    /// One message a day, at the digest time, listing everything due.
    case digest
}

/// A time-of-day window, e.g. quiet hours 21:00–07:00 (may wrap past midnight). Seconds since midnight.
public struct DayWindow: Sendable, Equatable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// `21:00-07:00` (or with seconds, `21:00:00-07:00:30`).
    public init?(parsing text: String) {
        let parts = text.split(separator: "-").map { $0.filter { $0 != " " && $0 != "\t" } }
        guard parts.count == 2, let start = Self.secondOfDay(parts[0]), let end = Self.secondOfDay(parts[1]), start != end else { return nil }
        self.start = start
        self.end = end
    }

    /// `HH:MM` or `HH:MM:SS` as seconds since midnight.
    public static func secondOfDay(_ text: String) -> Int? {
        let numbers = text.split(separator: ":").map { Int($0) }
        guard (2...3).contains(numbers.count), numbers.allSatisfy({ $0 != nil }) else { return nil }
        let (hour, minute, second) = (numbers[0]!, numbers[1]!, numbers.count == 3 ? numbers[2]! : 0)
        guard (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second) else { return nil }
        return hour * 3600 + minute * 60 + second
    }

    public static func clock(_ second: Int) -> String {
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        let text = pad(second / 3600) + ":" + pad(second / 60 % 60)
        return second % 60 == 0 ? text : text + ":" + pad(second % 60)
    }

    public var description: String { Self.clock(start) + "-" + Self.clock(end) }

    public func contains(secondOfDay second: Int) -> Bool {
        start < end ? (second >= start && second < end) : (second >= start || second < end)
    }
}

/// How reminders are made: plans, escalation, default handler settings, catch-up. Set by kawald
/// from its configuration; a store without rules creates no plan follow-ups and no reminders.
public struct ReminderRules: Sendable, Equatable {
    public var enabled = false
    public var plans: [FollowUpPlan] = FollowUpPlan.defaults
    /// How long before a follow-up is due its handler is reminded (0: at the due time).
    public var lead: TimeInterval = 0
    /// Overdue this long, a follow-up escalates to the handler's supervisor (else the admins); nil: never.
    public var escalateAfter: TimeInterval? = 3 * 86_400
    /// Quiet hours for handlers who set none: no SMS inside them.
    public var quietHours: DayWindow? = DayWindow(start: 21 * 3600, end: 7 * 3600)
    /// When daily digests go out (seconds since local midnight), for handlers who set no time.
    public var digestAt = 7 * 3600
    /// Reminders that fell due while kawald was stopped and are older than this go out as one
    /// overdue ("terlambat") digest per recipient instead of one by one.
    public var stalenessWindow: TimeInterval = 12 * 3600

    public init() {}
}

/// A channel a handler agreed to be reminded on, with the record of that agreement.
public struct ChannelConsent: Codable, Sendable, Equatable {
    public var channel: String
    public var consentAt: Date
    /// written, verbal, message (how the handler agreed).
    public var method: String
    public var recordedBy: String

    public init(channel: String, consentAt: Date, method: String, recordedBy: String) {
        self.channel = channel
        self.consentAt = consentAt
        self.method = method
        self.recordedBy = recordedBy
    }

    public static let channels = NotifyChannel.allCases.map(\.rawValue)
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
