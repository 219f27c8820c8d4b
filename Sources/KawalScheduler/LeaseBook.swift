import Foundation

/// Which jobs are out with which plugin, until when. A pure state machine: offering leases a
/// job, an answer from the holder settles it, and time running out returns it to be offered again.
public struct LeaseBook: Sendable {
    public struct Lease: Sendable, Equatable {
        public var owner: String
        public var expiresAt: Date
    }

    private var leases: [Int64: Lease] = [:]
    private var expiries = DueHeap()

    public init() {}

    public var count: Int { leases.count }

    public func lease(of id: Int64) -> Lease? { leases[id] }

    public mutating func grant(_ id: Int64, to owner: String, until expiresAt: Date) {
        leases[id] = Lease(owner: owner, expiresAt: expiresAt)
        expiries.schedule(id: id, at: expiresAt)
    }

    /// Ends the lease when `owner` holds it; returns false for a late or foreign answer, which must be ignored.
    public mutating func settle(_ id: Int64, by owner: String) -> Bool {
        guard leases[id]?.owner == owner else { return false }
        leases[id] = nil
        expiries.remove(id)
        return true
    }

    /// Every lease of `owner` (a plugin that went away), ended now.
    public mutating func revokeAll(of owner: String) -> [Int64] {
        let ids = leases.filter { $0.value.owner == owner }.map(\.key).sorted()
        for id in ids {
            leases[id] = nil
            expiries.remove(id)
        }
        return ids
    }

    /// The next time a lease runs out.
    public mutating func nextExpiry() -> Date? {
        expiries.earliest()
    }

    /// Leases that ran out by `now`, ended.
    public mutating func expire(now: Date) -> [Int64] {
        let ids = expiries.popDue(now: now)
        for id in ids { leases[id] = nil }
        return ids
    }
}
