#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a change to a case did that a follow-up plan may answer.
public enum PlanOccasion: Sendable, Equatable {
    case open
    case referral(id: Int64, service: String)
    case transition(status: CaseStatus)

    /// How the occasion is stored with the follow-ups it started: `open`, `referral/7`, `status/referred`.
    public var key: String {
        switch self {
        case .open: return "open"
        case .referral(let id, _): return "referral/\(id)"
        case .transition(let status): return "status/\(status)"
        }
    }

    public func answers(_ occasion: FollowUpPlan.Occasion) -> Bool {
        switch (self, occasion) {
        case (.open, .open): return true
        case (.referral(_, let service), .referral(let wanted)): return wanted == nil || wanted == service
        case (.transition(let status), .transition(let wanted)): return status == wanted
        default: return false
        }
    }
}

/// A follow-up a plan made, as stored beside it: which plan, on which occasion, which step.
public struct PlanStep: Sendable, Hashable {
    public var plan: String
    /// `PlanOccasion.key`.
    public var occasion: String
    public var step: Int64

    public init(plan: String, occasion: String, step: Int64) {
        self.plan = plan
        self.occasion = occasion
        self.step = step
    }
}

/// A follow-up a plan wants created.
public struct PlannedFollowUp: Sendable, Equatable {
    public var step: PlanStep
    public var kind: FollowUpKind
    public var dueAt: Date

    public init(step: PlanStep, kind: FollowUpKind, dueAt: Date) {
        self.step = step
        self.kind = kind
        self.dueAt = dueAt
    }
}

/// What the plans read about a case.
public struct PlanCaseFacts: Sendable, Equatable {
    public var status: CaseStatus
    public var type: CaseType?
    public var subtype: String?
    public var risk: RiskLevel?
    public var urgentSafety: Bool

    public init(status: CaseStatus, type: CaseType?, subtype: String?, risk: RiskLevel?, urgentSafety: Bool) {
        self.status = status
        self.type = type
        self.subtype = subtype
        self.risk = risk
        self.urgentSafety = urgentSafety
    }
}

/// What a recorded plan follow-up leads to.
public enum PlanContinuation: Sendable, Equatable {
    /// Nothing more: a single follow-up, a cancelled one, the case closed, or plans are off.
    case none
    /// The retry planned by hand takes the next step's place.
    case retryTakesStep(PlanStep)
    /// A repeating plan's next follow-up.
    case next(PlannedFollowUp)
}

/// The follow-up plans' decisions: what an occasion starts, and what a recorded step leads to.
public enum FollowUpPlanner {
    /// The first follow-ups the plans answering `occasion` create, once per plan and occasion
    /// (`existing` holds the steps the case has already).
    public static func firstFollowUps(on occasion: PlanOccasion, case facts: PlanCaseFacts, existing: Set<PlanStep>,
                                      rules: ReminderRules, now: Date) -> [PlannedFollowUp] {
        guard rules.enabled, facts.status.isOpen else { return [] }
        let started = Set(existing.map { "\($0.plan)\u{0}\($0.occasion)" })
        return rules.plans.compactMap { plan in
            guard occasion.answers(plan.on),
                  plan.matches(type: facts.type, subtype: facts.subtype, risk: facts.risk, urgentSafety: facts.urgentSafety),
                  !started.contains("\(plan.name)\u{0}\(occasion.key)") else { return nil }
            return PlannedFollowUp(step: PlanStep(plan: plan.name, occasion: occasion.key, step: 1), kind: plan.kind, dueAt: now.addingTimeInterval(plan.first))
        }
    }

    /// A plan follow-up (`step`) was recorded as `status`: a retry planned by hand becomes the next
    /// step; otherwise a repeating plan plans its next follow-up `every` after now, while the case is open.
    public static func afterRecording(_ step: PlanStep, as status: FollowUpStatus, retryPlanned: Bool, caseStatus: CaseStatus?,
                                      existing: Set<PlanStep>, rules: ReminderRules, now: Date) -> PlanContinuation {
        guard rules.enabled, status != .cancelled, let plan = rules.plans.first(where: { $0.name == step.plan }) else { return .none }
        let next = PlanStep(plan: step.plan, occasion: step.occasion, step: step.step + 1)
        if retryPlanned { return .retryTakesStep(next) }
        guard let every = plan.every, let caseStatus, caseStatus.isOpen, !existing.contains(next) else { return .none }
        return .next(PlannedFollowUp(step: next, kind: plan.kind, dueAt: now.addingTimeInterval(every)))
    }
}
