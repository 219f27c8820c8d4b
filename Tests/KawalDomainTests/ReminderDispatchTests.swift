import Foundation
import KawalDomain
import Testing

/// Fire jobs, digests and message ids, with a fixed clock and a fixed zone.
@Suite struct ReminderDispatchTests {
    /// 2027-01-15 02:00 UTC = 10:00 in Lombok (WITA, UTC+8).
    let t0 = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 86_400) + 2 * 3600)
    var schedule: ReminderSchedule {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        return ReminderSchedule(calendar: calendar)
    }

    @Test func fireKeysRoundTrip() {
        let keys: [FireKey] = [.reminder(12), .reminderAgain(12, at: 1_800_000_000_000), .digest(handlerID: 7, at: 5),
                               .late(.handler(7), firstReminderID: 3), .late(.admins, firstReminderID: 4)]
        for key in keys { #expect(FireKey(key.description) == key) }
        #expect(FireKey.late(.handler(7), firstReminderID: 3).description == "late:handler/7:3")
        for bad in ["", "remind", "remind:x", "digest:1", "late:nobody:3", "other:1"] { #expect(FireKey(bad) == nil, "\(bad)") }
    }

    @Test func theDigestGoesAtTheNextLocalTime() {
        // 10:00 local: today's 07:00 has passed, tomorrow's is next; today's 18:00 is still ahead.
        let seven = schedule.nextDigest(after: t0, secondOfDay: 7 * 3600)
        #expect(seven == t0.addingTimeInterval(21 * 3600))
        let six = schedule.nextDigest(after: t0, secondOfDay: 18 * 3600)
        #expect(six == t0.addingTimeInterval(8 * 3600))
        #expect(schedule.nextDigest(after: six, secondOfDay: 18 * 3600) == six)
    }

    @Test func aDigestHandlersDueReminderJoinsTheDigestAndAnEscalationGoesAlone() {
        var rules = ReminderRules()
        rules.enabled = true
        var digest = HandlerNotifySettings()
        digest.delivery = .digest
        digest.digestAt = 18 * 3600
        let due = schedule.fireJob(reminderID: 5, rule: .due, dueSlot: t0, addressee: .handler(7), settings: digest, rules: rules, now: t0)
        #expect(due.key == .digest(handlerID: 7, at: Milliseconds.of(t0.addingTimeInterval(8 * 3600))))
        let escalation = schedule.fireJob(reminderID: 6, rule: .escalation, dueSlot: t0, addressee: .handler(7), settings: digest, rules: rules, now: t0)
        #expect(escalation.key == .reminder(6))
        #expect(escalation.due == t0)
        let immediate = schedule.fireJob(reminderID: 5, rule: .due, dueSlot: t0, addressee: .handler(7), settings: HandlerNotifySettings(), rules: rules, now: t0)
        #expect(immediate.key == .reminder(5))
    }

    @Test func anExistingJobIsJoinedRevivedOrReplaced() {
        let later = t0.addingTimeInterval(600)
        let own = (key: FireKey.reminder(5), due: t0)
        let digest = (key: FireKey.digest(handlerID: 7, at: 1), due: t0)
        #expect(schedule.choose(own, existing: nil, reminderID: 5, dueSlot: t0, now: later) == .create(.reminder(5), due: t0))
        #expect(schedule.choose(own, existing: .pending, reminderID: 5, dueSlot: t0, now: later) == .join(.reminder(5)))
        #expect(schedule.choose(digest, existing: .cancelled, reminderID: 5, dueSlot: t0, now: later) == .revive(digest.key))
        // The job ran already: a job of its own, now (the slot passed).
        let again = FireJobChoice.create(.reminderAgain(5, at: Milliseconds.of(later)), due: later)
        #expect(schedule.choose(own, existing: .done, reminderID: 5, dueSlot: t0, now: later) == again)
        #expect(schedule.choose(own, existing: .cancelled, reminderID: 5, dueSlot: t0, now: later) == again)
    }

    @Test func theBatchPurposeFollowsTheKeyAndTheCount() {
        #expect(ReminderBatchPurpose(fireKey: .late(.admins, firstReminderID: 1), count: 1, firstRule: .due) == .late)
        #expect(ReminderBatchPurpose(fireKey: .digest(handlerID: 1, at: 1), count: 1, firstRule: .due) == .digest)
        #expect(ReminderBatchPurpose(fireKey: .reminder(1), count: 2, firstRule: .due) == .digest)
        #expect(ReminderBatchPurpose(fireKey: .reminder(1), count: 1, firstRule: .escalation) == .escalation)
        #expect(ReminderBatchPurpose(fireKey: .reminderAgain(1, at: 2), count: 1, firstRule: .due) == .reminder)
    }

    @Test func messageIdsAreStableAndReadable() {
        let slot = Date(timeIntervalSince1970: 1_796_086_800) // 2026-12-01T01:00Z
        #expect(UTCStamp.compact(slot) == "20261201T0100")
        #expect(UTCStamp.compact(Date(timeIntervalSince1970: 0)) == "19700101T0000")
        #expect(UTCStamp.compact(Date(timeIntervalSince1970: 951_782_400)) == "20000229T0000")
        #expect(reminderMessageBase(fireKey: .reminder(1842), firstRule: .due, firstSlot: slot) == "r-1842-20261201T0100")
        #expect(reminderMessageBase(fireKey: .reminderAgain(1842, at: 99), firstRule: .escalation, firstSlot: slot) == "e-1842-20261201T0100-99")
        #expect(reminderMessageBase(fireKey: .digest(handlerID: 7, at: 5), firstRule: .due, firstSlot: slot) == "d-7-5")
        #expect(reminderMessageBase(fireKey: .late(.handler(7), firstReminderID: 3), firstRule: .due, firstSlot: slot) == "t-7-3")
        #expect(reminderMessageBase(fireKey: .late(.admins, firstReminderID: 3), firstRule: .due, firstSlot: slot) == "t-admins-3")
    }
}
