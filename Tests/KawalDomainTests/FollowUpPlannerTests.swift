import Foundation
import KawalDomain
import Testing

/// Follow-up plans as pure decisions, with a fixed clock.
@Suite struct FollowUpPlannerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    var rules: ReminderRules {
        var rules = ReminderRules()
        rules.enabled = true
        return rules
    }
    let violence = PlanCaseFacts(status: .new, type: .violence, subtype: nil, risk: .high, urgentSafety: false)

    @Test func aViolenceCaseGetsAVisitWithin24HoursOnce() {
        let first = FollowUpPlanner.firstFollowUps(on: .open, case: violence, existing: [], rules: rules, now: now)
        #expect(first == [PlannedFollowUp(step: PlanStep(plan: "violence", occasion: "open", step: 1), kind: .visit, dueAt: now.addingTimeInterval(86_400))])
        let again = FollowUpPlanner.firstFollowUps(on: .open, case: violence, existing: [first[0].step], rules: rules, now: now)
        #expect(again.isEmpty)
    }

    @Test func plansAnswerOnlyTheirOccasionAndCases() {
        let document = PlanCaseFacts(status: .referred, type: .document, subtype: "akta_lahir", risk: .low, urgentSafety: false)
        #expect(FollowUpPlanner.firstFollowUps(on: .open, case: document, existing: [], rules: rules, now: now).isEmpty)
        let referred = FollowUpPlanner.firstFollowUps(on: .referral(id: 3, service: "dukcapil"), case: document, existing: [], rules: rules, now: now)
        #expect(referred.map(\.step) == [PlanStep(plan: "civil-documents", occasion: "referral/3", step: 1)])
        #expect(referred.first?.kind == .checkOutcome)
        #expect(FollowUpPlanner.firstFollowUps(on: .referral(id: 3, service: "bpjs"), case: document, existing: [], rules: rules, now: now).isEmpty)
        var closed = violence
        closed.status = .closed
        #expect(FollowUpPlanner.firstFollowUps(on: .open, case: closed, existing: [], rules: rules, now: now).isEmpty)
        #expect(FollowUpPlanner.firstFollowUps(on: .open, case: violence, existing: [], rules: ReminderRules(), now: now).isEmpty)
    }

    @Test func aRepeatingPlanPlansItsNextVisitWhenOneIsRecorded() {
        let step = PlanStep(plan: "violence", occasion: "open", step: 1)
        let next = FollowUpPlanner.afterRecording(step, as: .done, retryPlanned: false, caseStatus: .inProgress, existing: [step], rules: rules, now: now)
        #expect(next == .next(PlannedFollowUp(step: PlanStep(plan: "violence", occasion: "open", step: 2), kind: .visit, dueAt: now.addingTimeInterval(3 * 86_400))))
        // A missed visit also moves the plan on; a retry planned by hand takes the next step's place.
        let retried = FollowUpPlanner.afterRecording(step, as: .missed, retryPlanned: true, caseStatus: .inProgress, existing: [step], rules: rules, now: now)
        #expect(retried == .retryTakesStep(PlanStep(plan: "violence", occasion: "open", step: 2)))
    }

    @Test func nothingFollowsACancelledStepAClosedCaseASingleStepOrAStepTaken() {
        let step = PlanStep(plan: "violence", occasion: "open", step: 1)
        let taken = PlanStep(plan: "violence", occasion: "open", step: 2)
        #expect(FollowUpPlanner.afterRecording(step, as: .cancelled, retryPlanned: false, caseStatus: .inProgress, existing: [], rules: rules, now: now) == .none)
        #expect(FollowUpPlanner.afterRecording(step, as: .done, retryPlanned: false, caseStatus: .resolved, existing: [], rules: rules, now: now) == .none)
        #expect(FollowUpPlanner.afterRecording(step, as: .done, retryPlanned: false, caseStatus: .inProgress, existing: [taken], rules: rules, now: now) == .none)
        let bpjs = PlanStep(plan: "bpjs", occasion: "referral/1", step: 1)
        #expect(FollowUpPlanner.afterRecording(bpjs, as: .done, retryPlanned: false, caseStatus: .referred, existing: [], rules: rules, now: now) == .none)
        let unknown = PlanStep(plan: "gone-from-config", occasion: "open", step: 1)
        #expect(FollowUpPlanner.afterRecording(unknown, as: .done, retryPlanned: false, caseStatus: .new, existing: [], rules: rules, now: now) == .none)
    }
}
