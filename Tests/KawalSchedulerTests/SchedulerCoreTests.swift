import Foundation
import KawalScheduler
import Testing

/// The scheduler's pure parts with an injected clock: no sleeps.
@Suite struct SchedulerCoreTests {
    let t0 = Date(timeIntervalSince1970: 1_750_000_000)

    @Test func theHeapGivesDueWorkInOrder() {
        var heap = DueHeap()
        heap.schedule(id: 3, at: t0.addingTimeInterval(30))
        heap.schedule(id: 1, at: t0.addingTimeInterval(10))
        heap.schedule(id: 2, at: t0.addingTimeInterval(10))
        heap.schedule(id: 4, at: t0.addingTimeInterval(3600))
        let earliest1 = heap.earliest()
        #expect(earliest1 == t0.addingTimeInterval(10))
        let nothing = heap.popDue(now: t0)
        #expect(nothing.isEmpty)
        let due = heap.popDue(now: t0.addingTimeInterval(30))
        #expect(due == [1, 2, 3])
        #expect(heap.count == 1)
        let earliest2 = heap.earliest()
        #expect(earliest2 == t0.addingTimeInterval(3600))
    }

    @Test func reschedulingAndRemovingAreLazyButExact() {
        var heap = DueHeap()
        heap.schedule(id: 1, at: t0.addingTimeInterval(10))
        heap.schedule(id: 1, at: t0.addingTimeInterval(100))
        heap.schedule(id: 2, at: t0.addingTimeInterval(20))
        heap.remove(2)
        let earliest3 = heap.earliest()
        #expect(earliest3 == t0.addingTimeInterval(100))
        let early = heap.popDue(now: t0.addingTimeInterval(50))
        #expect(early.isEmpty)
        let onTime = heap.popDue(now: t0.addingTimeInterval(100))
        #expect(onTime == [1])
        #expect(heap.isEmpty)
        let earliest4 = heap.earliest()
        #expect(earliest4 == nil)
    }

    @Test func manyEntriesStayOrdered() {
        var heap = DueHeap()
        var generator = SystemRandomNumberGenerator()
        for id in 0..<100_000 {
            heap.schedule(id: Int64(id), at: t0.addingTimeInterval(Double(UInt32.random(in: 0...1_000_000, using: &generator))))
        }
        var previous = Date.distantPast
        var count = 0
        var now = t0
        while !heap.isEmpty {
            now = now.addingTimeInterval(10_000)
            let before = heap.earliest()!
            #expect(before >= previous)
            previous = before
            count += heap.popDue(now: now).count
        }
        #expect(count == 100_000)
    }

    @Test func backOffDoublesUpToTheCapThenStops() {
        let policy = RetryPolicy(base: 10, cap: 60, maxAttempts: 5)
        #expect((1...5).map { policy.delay(afterAttempt: $0) } == [10, 20, 40, 60, 60])
        #expect(policy.retryAt(afterAttempt: 1, now: t0) == t0.addingTimeInterval(10))
        #expect(policy.retryAt(afterAttempt: 5, now: t0) == nil, "after the last attempt the job is dead")
    }

    @Test func leasesSettleOnlyByTheirHolderAndExpire() {
        var book = LeaseBook()
        book.grant(1, to: "email#1", until: t0.addingTimeInterval(30))
        book.grant(2, to: "email#1", until: t0.addingTimeInterval(60))
        book.grant(3, to: "sms#1", until: t0.addingTimeInterval(45))
        let foreign = book.settle(1, by: "sms#1")
        #expect(!foreign, "another plugin cannot settle a job it does not hold")
        let first = book.settle(1, by: "email#1")
        #expect(first)
        let repeated = book.settle(1, by: "email#1")
        #expect(!repeated, "a repeated answer is ignored")
        let next = book.nextExpiry()
        #expect(next == t0.addingTimeInterval(45))
        let expired = book.expire(now: t0.addingTimeInterval(50))
        #expect(expired == [3])
        let late = book.settle(3, by: "sms#1")
        #expect(!late, "a late answer after expiry is ignored")
        let revoked = book.revokeAll(of: "email#1")
        #expect(revoked == [2])
        #expect(book.count == 0)
        let none = book.nextExpiry()
        #expect(none == nil)
    }
}

@Suite struct WallClockTimerTests {
    @Test func firesAtTheArmedTime() async throws {
        let timer = try WallClockTimer()
        timer.arm(at: Date().addingTimeInterval(0.05))
        var iterator = timer.events.makeAsyncIterator()
        let event = await iterator.next()
        if case .fired? = event {} else { Issue.record("expected the timer to fire, got \(String(describing: event))") }
        timer.stop()
    }
}
