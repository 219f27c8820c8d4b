import Foundation
import KawalCore
import KawalDomain
import Testing
import Varlink

/// Each state and vocabulary enum has the values its io.kawal interface declares, in its order:
/// the IDL is the contract, the enums follow it.
@Suite struct VocabularyTests {
    func declared(_ type: String, in interface: VarlinkInterface) -> [String] {
        guard case .enumeration(let values)? = interface.types[type]?.type else {
            Issue.record("\(interface.name) declares no enum \(type)")
            return []
        }
        return values
    }

    @Test func enumsFollowTheInterfaces() {
        #expect(CaseStatus.allCases.map(\.rawValue) == declared("Status", in: KawalInterfaces.cases))
        #expect(CaseType.allCases.map(\.rawValue) == declared("CaseType", in: KawalInterfaces.cases))
        #expect(RiskLevel.allCases.map(\.rawValue) == declared("Risk", in: KawalInterfaces.cases))
        #expect(FollowUpKind.allCases.map(\.rawValue) == declared("FollowUpKind", in: KawalInterfaces.cases))
        #expect(FollowUpStatus.allCases.map(\.rawValue) == declared("FollowUpStatus", in: KawalInterfaces.cases))
        #expect(ReferralStatus.allCases.map(\.rawValue) == declared("ReferralStatus", in: KawalInterfaces.cases))
        #expect(JobState.allCases.map(\.rawValue) == declared("JobState", in: KawalInterfaces.jobs))
        #expect(PluginState.allCases.map(\.rawValue) == declared("PluginState", in: KawalInterfaces.jobs))
        #expect(ReminderDelivery.allCases.map(\.rawValue) == declared("DeliveryState", in: KawalInterfaces.reminders))
        #expect(Role.allCases.filter { $0 != .none }.map(\.rawValue).sorted() == declared("Role", in: KawalInterfaces.daemon).sorted())
    }

    @Test func theLifecycleOnlyReachesKnownStatusesAndEveryStatusIsReachable() {
        var reached: Set<CaseStatus> = [.new]
        var frontier: [CaseStatus] = [.new]
        while let status = frontier.popLast() {
            for next in CaseLifecycle.allowed(from: status) where reached.insert(next).inserted { frontier.append(next) }
        }
        #expect(reached == Set(CaseStatus.allCases))
        // A closed case goes nowhere but back to work.
        #expect(CaseLifecycle.allowed(from: .closed) == [.reopened])
        #expect(!CaseLifecycle.canMove(from: .new, to: .closed))
        #expect(CaseStatus.open == [.new, .assessment, .inProgress, .referred, .reopened])
    }

    @Test func aQueuedReminderFollowsItsNotifyJob() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(ReminderDelivery(reminder: .planned, job: nil, jobDue: nil, now: now) == .planned)
        #expect(ReminderDelivery(reminder: .queued, job: .pending, jobDue: now.addingTimeInterval(60), now: now) == .held)
        #expect(ReminderDelivery(reminder: .queued, job: .pending, jobDue: now, now: now) == .queued)
        #expect(ReminderDelivery(reminder: .queued, job: .leased, jobDue: now, now: now) == .sending)
        #expect(ReminderDelivery(reminder: .queued, job: .done, jobDue: now, now: now) == .sent)
        for failed in [JobState.dead, .stale, .cancelled] {
            #expect(ReminderDelivery(reminder: .queued, job: failed, jobDue: now, now: now) == .failed)
        }
        #expect(ReminderDelivery(reminder: .skipped, job: .done, jobDue: now, now: now) == .skipped)
    }
}
