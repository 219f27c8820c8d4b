import Foundation
import KawalDomain

// The seams between kawald's services and the database. Each protocol is one aggregate, in the
// words of the domain, with no SQL and no GRDB type in its signatures; `Store` is the SQLite
// (GRDB) implementation of them all. A PostgreSQL implementation would conform to the same
// protocols without a change to the API layer or the services (see docs/architecture.md).

/// The durable job queue, as the scheduler uses it.
///
/// `leaseJobs` is the claim: one call that moves the given pending jobs to leased and returns
/// them, skipping any that another claimer took meanwhile. SQLite does it with one UPDATE …
/// RETURNING under its single writer; PostgreSQL would do it with
/// `UPDATE job … WHERE id IN (SELECT id FROM job WHERE id = ANY($1) AND state = 'pending'
/// FOR UPDATE SKIP LOCKED) RETURNING …`, so that two kawalds never lease one job.
public protocol JobRepository: Sendable {
    /// Adds a job; a job with the same idempotency key is not added twice (the existing id is returned).
    func enqueueJob(kind: String, payload: String, dueAt: Date, idempotencyKey: String) async throws -> (id: Int64, created: Bool)
    /// At start: leases of a previous run return to pending; pending jobs due before `staleBefore` go stale.
    func recoverJobs(staleBefore: Date) async throws -> (pending: [DueJob], staled: Int)
    /// The claim: leases the given pending jobs to `owner` until `expiresAt`, in the order asked.
    func leaseJobs(_ ids: [Int64], owner: String, expiresAt: Date) async throws -> [OfferedJob]
    /// Settles leased jobs; only the lease holder may, a late answer is ignored.
    func settleJobs(_ outcomes: [(id: Int64, outcome: JobOutcome)], owner: String) async throws -> [(id: Int64, state: JobState)]
    /// Takes leased jobs back (lease expired, or their plugin went away).
    func returnLeasedJobs(_ ids: [Int64], maxAttempts: Int64, reason: String, onlyExpired: Bool) async throws -> [(id: Int64, state: JobState)]
}

extension Store: JobRepository {}
