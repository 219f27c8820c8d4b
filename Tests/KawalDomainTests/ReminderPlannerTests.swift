import Foundation
import KawalDomain
import Testing

/// Reminder planning as pure decisions over a case's facts, with a fixed clock.
@Suite struct ReminderPlannerTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let ani = HandlerFacts(id: 7, code: "ani", active: true)
    let budi = HandlerFacts(id: 9, code: "budi", active: true)

    var rules: ReminderRules {
        var rules = ReminderRules()
        rules.enabled = true
        rules.lead = 3600
        rules.escalateAfter = 3 * 86_400
        return rules
    }

    func facts(status: CaseStatus = .inProgress, restricted: Bool = false, handler: HandlerFacts?, supervisor: HandlerFacts? = nil,
               followUps: [Int64] = [1]) -> CaseReminderFacts {
        CaseReminderFacts(status: status, personRestricted: restricted, handler: handler, supervisor: supervisor,
                          plannedFollowUps: followUps.map { .init(id: $0, dueAt: t0.addingTimeInterval(Double($0) * 86_400)) })
    }

    @Test func aHandledCaseIsRemindedBeforeDueAndEscalatesToTheSupervisor() {
        let (wanted, refusal) = ReminderPlanner.wanted(for: facts(handler: ani, supervisor: budi), rules: rules)
        #expect(refusal == nil)
        #expect(wanted == [
            WantedReminder(followUpID: 1, rule: .due, dueSlot: t0.addingTimeInterval(86_400 - 3600), addressee: .handler(7)),
            WantedReminder(followUpID: 1, rule: .escalation, dueSlot: t0.addingTimeInterval(4 * 86_400), addressee: .handler(9)),
        ])
    }

    @Test func anInactiveOrMissingSupervisorEscalatesToTheAdministrators() {
        var away = budi
        away.active = false
        for supervisor in [away, nil] {
            let (wanted, _) = ReminderPlanner.wanted(for: facts(handler: ani, supervisor: supervisor), rules: rules)
            #expect(wanted.last?.addressee == .admins)
            #expect(wanted.last?.rule == .escalation)
        }
    }

    @Test func aCaseWithoutHandlerRemindsTheAdministratorsAndDoesNotEscalate() {
        let (wanted, _) = ReminderPlanner.wanted(for: facts(handler: nil, followUps: [1, 2]), rules: rules)
        #expect(wanted.map(\.addressee) == [.admins, .admins])
        #expect(wanted.allSatisfy { $0.rule == .due })
    }

    @Test func withoutEscalationOnlyDueReminders() {
        var rules = self.rules
        rules.escalateAfter = nil
        let (wanted, _) = ReminderPlanner.wanted(for: facts(handler: ani, supervisor: budi, followUps: [1, 2]), rules: rules)
        #expect(wanted.map(\.rule) == [.due, .due])
    }

    @Test func theOneDecisionRefusesWithItsReason() {
        var off = rules
        off.enabled = false
        var inactive = ani
        inactive.active = false
        let cases: [(CaseReminderFacts, ReminderRules, ReminderRefusal)] = [
            (facts(handler: ani), off, .remindersOff),
            (facts(status: .closed, handler: ani), rules, .caseNotOpen(.closed)),
            (facts(restricted: true, handler: ani), rules, .processingRestricted),
            (facts(handler: inactive), rules, .handlerInactive(code: "ani")),
        ]
        for (facts, rules, reason) in cases {
            let (wanted, refusal) = ReminderPlanner.wanted(for: facts, rules: rules)
            #expect(wanted.isEmpty)
            #expect(refusal == reason)
        }
        #expect(ReminderRefusal.caseNotOpen(.inProgress).description == "the case is in_progress")
        #expect(ReminderRefusal.processingRestricted.description == "processing of the person's data is restricted")
    }

    func stored(_ id: Int64, _ wanted: WantedReminder, _ state: ReminderState) -> StoredReminder {
        StoredReminder(id: id, wanted: wanted, state: state)
    }

    @Test func reconciliationCancelsWhatIsNoLongerWantedAndCreatesWhatIsMissing() {
        let due1 = WantedReminder(followUpID: 1, rule: .due, dueSlot: t0, addressee: .handler(7))
        let due2 = WantedReminder(followUpID: 2, rule: .due, dueSlot: t0, addressee: .handler(7))
        let moved = WantedReminder(followUpID: 1, rule: .due, dueSlot: t0.addingTimeInterval(86_400), addressee: .handler(7))
        // Follow-up 1 was moved a day; follow-up 2 is new.
        let changes = ReminderPlanner.reconcile(stored: [stored(10, due1, .planned)], wanted: [moved, due2], refusal: nil)
        #expect(changes.cancel == [10])
        #expect(changes.cancelNote == "the follow-up was recorded, moved or reassigned")
        #expect(changes.revive.isEmpty)
        #expect(changes.create == [moved, due2])
    }

    @Test func reconciliationRevivesACancelledSlotAndNeverRemakesASentOne() {
        let due1 = WantedReminder(followUpID: 1, rule: .due, dueSlot: t0, addressee: .handler(7))
        let esc1 = WantedReminder(followUpID: 1, rule: .escalation, dueSlot: t0.addingTimeInterval(3 * 86_400), addressee: .admins)
        let changes = ReminderPlanner.reconcile(stored: [stored(10, due1, .queued), stored(11, esc1, .cancelled)], wanted: [due1, esc1], refusal: nil)
        #expect(changes.cancel.isEmpty)
        #expect(changes.revive == [11])
        #expect(changes.create.isEmpty)
        // Planning again changes nothing: reconciliation is idempotent.
        let again = ReminderPlanner.reconcile(stored: [stored(10, due1, .queued), stored(11, esc1, .planned)], wanted: [due1, esc1], refusal: nil)
        #expect(again.isEmpty)
    }

    @Test func aRefusalCancelsEveryPlannedReminderWithItsReason() {
        let due1 = WantedReminder(followUpID: 1, rule: .due, dueSlot: t0, addressee: .handler(7))
        let changes = ReminderPlanner.reconcile(stored: [stored(10, due1, .planned), stored(12, due1, .skipped)], wanted: [],
                                                refusal: .caseNotOpen(.resolved))
        #expect(changes.cancel == [10])
        #expect(changes.cancelNote == "the case is resolved")
    }

    @Test func slotsAreComparedByTheMillisecond() {
        let a = WantedReminder(followUpID: 1, rule: .due, dueSlot: t0, addressee: .admins)
        let b = WantedReminder(followUpID: 1, rule: .due, dueSlot: t0.addingTimeInterval(0.0001), addressee: .admins)
        #expect(a.identity == b.identity)
        #expect(ReminderPlanner.reconcile(stored: [stored(1, a, .planned)], wanted: [b], refusal: nil).isEmpty)
    }

    @Test func addresseesAreStoredAsBefore() {
        #expect(ReminderAddressee("handler/12") == .handler(12))
        #expect(ReminderAddressee("admins") == .admins)
        #expect(ReminderAddressee("handler/x") == nil)
        #expect(ReminderAddressee.handler(12).description == "handler/12")
    }
}
