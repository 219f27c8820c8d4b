import Foundation
import GRDB
import KawalDomain

/// A durable unit of work for a plugin: due at a wall-clock time, carried out at least once,
/// recognisable by its idempotency key so that the receiver can drop repeats.
public struct JobRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "job"
    public var id: Int64?
    public var kind: String
    public var payload: String
    public var dueAt: Date
    public var idempotencyKey: String
    public var state: JobState
    public var attempts: Int64
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// Set when the payload was blanked, a while after the job finished (`forgetFinishedJobPayloads`).
    public var payloadForgottenAt: Date? = nil

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

}

/// What the scheduler needs to keep in memory of a pending job.
public struct DueJob: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var dueAt: Date
}

/// A job handed to a plugin.
public struct OfferedJob: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var payload: String
    public var idempotencyKey: String
    public var attempt: Int64
    public var dueAt: Date
}

/// How a plugin settled a job.
public enum JobOutcome: Sendable, Equatable {
    case done
    case failed(message: String, retryAt: Date?)
}

extension Store {
    /// Leases and settlements are written without waiting for the disk (synchronous = NORMAL in WAL:
    /// safe from a crash of kawald, lost only with the machine's power). Losing one means a job is
    /// offered again, which at-least-once delivery allows; the idempotency key makes it harmless.
    /// Enqueued jobs and personal data keep FULL durability.
    func writeJobBookkeeping<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.writeWithoutTransaction { db in
            try db.cachedStatement(sql: "PRAGMA synchronous = NORMAL").execute()
            defer { try? db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute() }
            var result: T?
            try db.inTransaction {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    /// Adds a job; a job with the same idempotency key is not added twice (returns the existing id).
    @discardableResult
    public func enqueueJob(kind: String, payload: String, dueAt: Date, idempotencyKey: String) async throws -> (id: Int64, created: Bool) {
        let now = time.now()
        return try await pool.write { db in
            if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM job WHERE idempotencyKey = ?", arguments: [idempotencyKey]) {
                return (existing, false)
            }
            var job = JobRecord(id: nil, kind: kind, payload: payload, dueAt: dueAt, idempotencyKey: idempotencyKey, state: .pending,
                                attempts: 0, leaseOwner: nil, leaseExpiresAt: nil, lastError: nil, createdAt: now, updatedAt: now)
            try job.insert(db)
            return (job.id!, true)
        }
    }

    /// At start: leases left by a previous run go back to pending (their plugin is gone), and
    /// pending jobs due before `staleBefore` are marked stale instead of fired one by one.
    /// Returns the pending jobs for the in-memory heap, and how many went stale.
    public func recoverJobs(staleBefore: Date) async throws -> (pending: [DueJob], staled: Int) {
        let now = time.now()
        return try await pool.write { db in
            try db.execute(sql: "UPDATE job SET state = 'pending', leaseOwner = NULL, leaseExpiresAt = NULL, updatedAt = ? WHERE state = 'leased'",
                           arguments: [now])
            try db.execute(sql: "UPDATE job SET state = 'stale', updatedAt = ?, lastError = 'missed while kawald was stopped, past the staleness window' WHERE state = 'pending' AND dueAt < ?",
                           arguments: [now, staleBefore])
            let staled = db.changesCount
            var pending: [DueJob] = []
            let cursor = try Row.fetchCursor(db, sql: "SELECT id, kind, dueAt FROM job WHERE state = 'pending'")
            while let row = try cursor.next() {
                pending.append(DueJob(id: row[0], kind: row[1], dueAt: row[2]))
            }
            return (pending, staled)
        }
    }

    /// Leases the given pending jobs to `owner` until `expiresAt`; jobs no longer pending are skipped.
    /// One cached statement for the whole batch: at tens of thousands of jobs a second, per-row
    /// statements (or statements of a new shape per batch size) cost.
    public func leaseJobs(_ ids: [Int64], owner: String, expiresAt: Date) async throws -> [OfferedJob] {
        let now = time.now()
        let idList = Self.jsonArray(ids)
        return try await writeJobBookkeeping { db in
            // The ids drive the search (primary key); `+state` keeps SQLite from walking the
            // (state, dueAt) index over every pending job instead.
            let statement = try db.cachedStatement(sql: """
                UPDATE job SET state = 'leased', leaseOwner = ?, leaseExpiresAt = ?, attempts = attempts + 1, updatedAt = ?
                WHERE id IN (SELECT value FROM json_each(?)) AND +state = 'pending'
                RETURNING id, kind, payload, idempotencyKey, attempts, dueAt
                """)
            let offered = try Row.fetchAll(statement, arguments: [owner, expiresAt, now, idList]).map {
                OfferedJob(id: $0[0], kind: $0[1], payload: $0[2], idempotencyKey: $0[3], attempt: $0[4], dueAt: $0[5])
            }
            // Offered in due order, as they were asked for.
            // An id asked for twice (queued twice by the scheduler) is leased once, at its first place.
            let order = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            return offered.sorted { order[$0.id]! < order[$1.id]! }
        }
    }

    /// Settles leased jobs: done, or failed (back to pending at `retryAt`, or dead without one).
    /// Only the lease holder may settle; a late answer after the lease moved on is ignored.
    public func settleJobs(_ outcomes: [(id: Int64, outcome: JobOutcome)], owner: String) async throws -> [(id: Int64, state: JobState)] {
        let now = time.now()
        return try await writeJobBookkeeping { db in
            var settled: [(Int64, JobState)] = []
            let done = outcomes.compactMap { $0.outcome == .done ? $0.id : nil }
            if !done.isEmpty {
                let statement = try db.cachedStatement(sql: """
                    UPDATE job SET state = 'done', leaseOwner = NULL, leaseExpiresAt = NULL, lastError = NULL, updatedAt = ?
                    WHERE id IN (SELECT value FROM json_each(?)) AND +state = 'leased' AND leaseOwner = ? RETURNING id
                    """)
                settled += try Int64.fetchAll(statement, arguments: [now, Self.jsonArray(done), owner]).map { ($0, JobState.done) }
            }
            for (id, outcome) in outcomes {
                guard case .failed(let message, let retryAt) = outcome else { continue }
                let state: JobState = retryAt == nil ? .dead : .pending
                try db.execute(sql: "UPDATE job SET state = ?, dueAt = coalesce(?, dueAt), leaseOwner = NULL, leaseExpiresAt = NULL, lastError = ?, updatedAt = ? WHERE id = ? AND state = 'leased' AND leaseOwner = ?",
                               arguments: [state.rawValue, retryAt, message, now, id, owner])
                if db.changesCount > 0 { settled.append((id, state)) }
            }
            return settled
        }
    }

    /// Takes leased jobs back: their lease ran out (`onlyExpired`) or their plugin went away.
    /// They return to pending, or go dead when no attempt is left.
    public func returnLeasedJobs(_ ids: [Int64], maxAttempts: Int64, reason: String, onlyExpired: Bool) async throws -> [(id: Int64, state: JobState)] {
        let now = time.now()
        return try await pool.write { db in
            var returned: [(Int64, JobState)] = []
            for id in ids {
                let condition = onlyExpired ? "AND leaseExpiresAt <= ?" : ""
                let arguments: StatementArguments = onlyExpired ? [id, now] : [id]
                guard let attempts = try Int64.fetchOne(db, sql: "SELECT attempts FROM job WHERE id = ? AND state = 'leased' \(condition)",
                                                        arguments: arguments) else { continue }
                let state: JobState = attempts >= maxAttempts ? .dead : .pending
                try db.execute(sql: "UPDATE job SET state = ?, leaseOwner = NULL, leaseExpiresAt = NULL, lastError = ?, updatedAt = ? WHERE id = ?",
                               arguments: [state.rawValue, reason, now, id])
                returned.append((id, state))
            }
            return returned
        }
    }

    /// Jobs, newest first. Their payloads hold addresses, phone numbers and message texts: the
    /// listing is audited as a read of them.
    public func jobs(state: JobState?, kind: String?, limit: Int?, after: String?, actor: Actor) async throws -> Page<JobRecord> {
        let pageSize = Self.pageLimit(limit)
        let afterID = try Self.cursorID(after)
        return try await pool.write { db in
            var request = JobRecord.all()
            if let afterID { request = request.filter(Column("id") < afterID) }
            if let state { request = request.filter(Column("state") == state.rawValue) }
            if let kind { request = request.filter(Column("kind") == kind) }
            let jobs = try request.order(Column("id").desc).limit(pageSize + 1).fetchAll(db)
            let page = Array(jobs.prefix(pageSize))
            try AuditLog.append(db, actor: actor, action: "job.list", object: "job", detail: "\(page.count) shown with their payloads")
            return Page(items: page, next: jobs.count > pageSize ? page.last.map { String($0.id!) } : nil)
        }
    }

    /// One job with its payload, for an administrator: audited as a read of the payload.
    public func job(id: Int64, actor: Actor) async throws -> JobRecord {
        try await pool.write { db in
            guard let job = try JobRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "job/\(id)") }
            try AuditLog.append(db, actor: actor, action: "job.read", object: "job/\(id)", detail: job.kind)
            return job
        }
    }

    public func job(id: Int64) async throws -> JobRecord {
        guard let job = try await pool.read({ db in try JobRecord.fetchOne(db, key: id) }) else { throw StoreError.notFound(object: "job/\(id)") }
        return job
    }

    /// Puts a dead, stale or cancelled job back to pending, due now; returns it for the heap.
    public func retryJob(id: Int64) async throws -> DueJob {
        let now = time.now()
        return try await pool.write { db in
            guard let job = try JobRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "job/\(id)") }
            guard JobState.retryable.contains(job.state) else {
                throw StoreError.invalid(field: "id", message: "job/\(id) is \(job.state); only dead, stale or cancelled jobs are retried")
            }
            if let forgotten = job.payloadForgottenAt {
                throw StoreError.invalid(field: "id", message: "job/\(id) finished long ago and its payload was forgotten on \(time.display(forgotten)) ([scheduler] finished_job_payloads); it cannot be retried: make the request again (e.g. reschedule the reminder)")
            }
            try db.execute(sql: "UPDATE job SET state = 'pending', dueAt = ?, attempts = 0, updatedAt = ? WHERE id = ?", arguments: [now, now, id])
            return DueJob(id: id, kind: job.kind, dueAt: now)
        }
    }

    /// Blanks the payloads of jobs that finished (done, dead, stale, cancelled) before `finishedBefore`:
    /// a notification's payload holds a phone number or e-mail address, a first name and the message,
    /// which are not needed once it is delivered or given up. The job itself stays (state, attempts,
    /// error, and its idempotency key, which keeps the work from being done twice). In chunks, so that
    /// writers wait for one chunk at most: the jobs are found by reading (which blocks nobody),
    /// walking the table by id once, and blanked by id. The WAL is emptied afterwards, so that the
    /// old payloads do not linger there (secure_delete overwrites them in the database file).
    /// Returns how many payloads were forgotten.
    @discardableResult
    public func forgetFinishedJobPayloads(finishedBefore cutoff: Date) async throws -> Int {
        let now = time.now()
        var total = 0
        var after: Int64 = 0
        while true {
            let from = after
            let ids = try await pool.read { db in
                try Int64.fetchAll(db, sql: """
                    SELECT id FROM job WHERE id > ? AND +state IN (\(Self.finishedStateList)) AND updatedAt < ?
                      AND payloadForgottenAt IS NULL ORDER BY id LIMIT 5000
                    """, arguments: [from, cutoff])
            }
            guard let last = ids.last else { break }
            after = last
            total += try await pool.write { db in
                try db.execute(sql: """
                    UPDATE job SET payload = '{}', payloadForgottenAt = ?
                    WHERE id IN (SELECT value FROM json_each(?)) AND state IN (\(Self.finishedStateList)) AND payloadForgottenAt IS NULL
                    """, arguments: [now, Self.jsonArray(ids)])
                return db.changesCount
            }
        }
        if total > 0 { await emptyWriteAheadLog() }
        return total
    }

    public func cancelJob(id: Int64) async throws {
        let now = time.now()
        try await pool.write { db in
            guard let job = try JobRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "job/\(id)") }
            guard !job.state.isFinished else {
                throw StoreError.invalid(field: "id", message: "job/\(id) is \(job.state); only pending or leased jobs are cancelled")
            }
            try db.execute(sql: "UPDATE job SET state = 'cancelled', leaseOwner = NULL, leaseExpiresAt = NULL, updatedAt = ? WHERE id = ?", arguments: [now, id])
        }
    }

    public func jobCounts() async throws -> [String: Int64] {
        try await pool.read { db in
            var counts: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM job GROUP BY state") {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }
}

extension Store {
    /// `'done','dead',…`: the finished job states, for SQL (constants, never input).
    static let finishedStateList = JobState.finished.map { "'\($0.rawValue)'" }.joined(separator: ",")

    /// `[1,2,3]`: ids for `json_each(?)`, one bound value whatever their number.
    static func jsonArray(_ ids: [Int64]) -> String {
        var text = "["
        text.reserveCapacity(ids.count * 8 + 2)
        for (index, id) in ids.enumerated() {
            if index > 0 { text += "," }
            text += String(id)
        }
        return text + "]"
    }
}

extension Array {
    func chunked(into size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension Store {
    /// The latest occurrence enqueued for a timer (its jobs' keys start with `timer:NAME:`).
    public func latestTimerJob(_ name: String) async throws -> (dueAt: Date, state: JobState)? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT dueAt, state FROM job WHERE idempotencyKey LIKE ? ORDER BY dueAt DESC LIMIT 1",
                             arguments: ["timer:\(name):%"])
                .map { ($0[0], JobState(rawValue: $0[1]) ?? .pending) }
        }
    }
}

extension Store {
    /// Pending jobs by kind: how many, and the earliest due time.
    public func pendingJobsByKind() async throws -> [(kind: String, count: Int64, oldestDue: Date)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, count(*), min(dueAt) FROM job WHERE state = 'pending' GROUP BY kind ORDER BY kind")
                .map { ($0[0], $0[1], $0[2]) }
        }
    }
}
