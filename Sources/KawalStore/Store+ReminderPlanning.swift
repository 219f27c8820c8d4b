import Foundation
import GRDB
import KawalContracts
import KawalDomain

/// The store's side of reminder planning: it reads a case's facts, asks the domain
/// (`FollowUpPlanner`, `ReminderPlanner`, `ReminderSchedule`) what to change, and writes the answer
/// in the caller's transaction.
extension Store {
    public static let reminderFireKind = InternalJobKind.reminderFire.rawValue

    /// Turns reminders on: plans and rules from the configuration; `onJobs` learns of every job made
    /// as a side effect of a change (kawald hands them to its scheduler).
    public func configureReminders(_ rules: ReminderRules, alertHandlers: [String], onJobs: @escaping @Sendable ([DueJob]) -> Void) {
        reminderHub.state.withLock {
            $0.rules = rules
            $0.alertHandlers = alertHandlers
            $0.onJobs = onJobs
        }
    }

    public var reminderRules: ReminderRules { reminderHub.state.withLock { $0.rules } }

    /// `'new','assessment',…`: the open statuses, for SQL (constants, never input).
    static let openStatusList = CaseStatus.open.map { "'\($0.rawValue)'" }.joined(separator: ",")

    var reminderSchedule: ReminderSchedule { ReminderSchedule(calendar: time.calendar) }

    /// A write whose side effects may include jobs (reminder.fire); they reach the scheduler after the commit.
    func writeWithReminders<T: Sendable>(_ body: @escaping @Sendable (Database, JobCollector) throws -> T) async throws -> T {
        let collector = JobCollector()
        let result = try await pool.write { db in try body(db, collector) }
        let jobs = collector.jobs
        if !jobs.isEmpty, let onJobs = reminderHub.state.withLock({ $0.onJobs }) { onJobs(jobs) }
        return result
    }

    // MARK: Plans

    /// After a change to a case: the plans that answer `occasion` create their first follow-up (once),
    /// then the case's reminders are brought in line with its follow-ups, status and handler.
    func caseChanged(_ db: Database, caseID: Int64, occasion: PlanOccasion?, now: Date, jobs: JobCollector) throws {
        let rules = reminderRules
        guard rules.enabled, let record = try CaseRecord.fetchOne(db, key: caseID) else { return }
        if let occasion {
            let facts = PlanCaseFacts(status: record.status, type: CaseType(rawValue: record.type), subtype: record.subtype,
                                      risk: RiskLevel(rawValue: record.risk), urgentSafety: record.urgentSafety)
            for planned in FollowUpPlanner.firstFollowUps(on: occasion, case: facts, existing: try Self.planSteps(db, caseID: caseID),
                                                          rules: rules, now: now) {
                try addPlanFollowUp(db, caseID: caseID, planned, now: now)
            }
        }
        try recomputeReminders(db, caseID: caseID, now: now, jobs: jobs)
    }

    static func planSteps(_ db: Database, caseID: Int64) throws -> Set<PlanStep> {
        Set(try Row.fetchAll(db, sql: "SELECT plan, occasion, step FROM planFollowUp WHERE caseID = ?", arguments: [caseID])
            .map { PlanStep(plan: $0["plan"], occasion: $0["occasion"], step: $0["step"]) })
    }

    func addPlanFollowUp(_ db: Database, caseID: Int64, _ planned: PlannedFollowUp, now: Date) throws {
        var followUp = FollowUpRecord(id: nil, caseID: caseID, kind: planned.kind.rawValue, dueAt: planned.dueAt, windowHours: nil, status: .planned,
                                      outcome: nil, contactMade: nil, attempt: planned.step.step, doneAt: nil, notes: "plan \(planned.step.plan)",
                                      version: 1, createdAt: now)
        try followUp.insert(db)
        try insertPlanStep(db, followUpID: followUp.id!, caseID: caseID, planned.step)
    }

    func insertPlanStep(_ db: Database, followUpID: Int64, caseID: Int64, _ step: PlanStep) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO planFollowUp (followUpID, caseID, plan, occasion, step) VALUES (?, ?, ?, ?, ?)",
                       arguments: [followUpID, caseID, step.plan, step.occasion, step.step])
    }

    /// A plan follow-up was recorded: a repeating plan plans its next one (the retry, when one was
    /// planned by hand, takes that place).
    func planFollowUpRecorded(_ db: Database, followUp: FollowUpRecord, retry: FollowUpRecord?, now: Date) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT plan, occasion, step FROM planFollowUp WHERE followUpID = ?", arguments: [followUp.id!]) else { return }
        let step = PlanStep(plan: row["plan"], occasion: row["occasion"], step: row["step"])
        let caseStatus = try CaseRecord.fetchOne(db, key: followUp.caseID)?.status
        switch FollowUpPlanner.afterRecording(step, as: followUp.status, retryPlanned: retry != nil, caseStatus: caseStatus,
                                              existing: try Self.planSteps(db, caseID: followUp.caseID), rules: reminderRules, now: now) {
        case .none: break
        case .retryTakesStep(let next): try insertPlanStep(db, followUpID: retry!.id!, caseID: followUp.caseID, next)
        case .next(let planned): try addPlanFollowUp(db, caseID: followUp.caseID, planned, now: now)
        }
    }

    // MARK: Reminders

    /// Every case of a person: after a change to the person that the one decision reads (restriction).
    func recomputeReminders(_ db: Database, personID: Int64, now: Date, jobs: JobCollector) throws {
        for caseID in try Int64.fetchAll(db, sql: "SELECT id FROM caseFile WHERE personID = ?", arguments: [personID]) {
            try recomputeReminders(db, caseID: caseID, now: now, jobs: jobs)
        }
    }

    /// Recomputes the reminders of every open case of a handler (their supervisor or settings changed).
    func handlerChanged(_ db: Database, handlerID: Int64, now: Date, jobs: JobCollector) throws {
        guard reminderRules.enabled else { return }
        let cases = try Int64.fetchAll(db, sql: "SELECT id FROM caseFile WHERE handlerID = ? AND status IN (\(Self.openStatusList))",
                                       arguments: [handlerID])
        for caseID in cases { try recomputeReminders(db, caseID: caseID, now: now, jobs: jobs) }
    }

    /// Brings the case's reminders in line with what it needs now (`ReminderPlanner`).
    func recomputeReminders(_ db: Database, caseID: Int64, now: Date, jobs: JobCollector) throws {
        let rules = reminderRules
        guard let facts = try Self.reminderFacts(db, caseID: caseID) else { return }
        let (wanted, refusal) = ReminderPlanner.wanted(for: facts, rules: rules)
        let stored = try ReminderRecord.filter(Column("caseID") == caseID).order(Column("id")).fetchAll(db)
        let changes = ReminderPlanner.reconcile(stored: stored.map { StoredReminder(id: $0.id!, wanted: $0.wanted, state: $0.state) },
                                                wanted: wanted, refusal: refusal)
        guard !changes.isEmpty else { return }
        let byID = Dictionary(uniqueKeysWithValues: stored.map { ($0.id!, $0) })
        for id in changes.cancel {
            guard var reminder = byID[id] else { continue }
            reminder.state = .cancelled
            reminder.note = changes.cancelNote
            reminder.updatedAt = now
            try reminder.update(db)
            try cancelFireJobIfUnused(db, key: reminder.fireKey, now: now)
        }
        for id in changes.revive {
            guard var reminder = byID[id] else { continue }
            reminder.state = .planned
            reminder.note = nil
            reminder.updatedAt = now
            reminder.fireKey = try attachFireJob(db, reminder: reminder, rules: rules, now: now, jobs: jobs)
            try reminder.update(db)
        }
        for want in changes.create {
            var reminder = ReminderRecord(id: nil, caseID: caseID, followUpID: want.followUpID, rule: want.rule, dueSlot: want.dueSlot,
                                          recipient: want.addressee, state: .planned, fireKey: nil, channel: nil, messageID: nil, jobID: nil,
                                          note: nil, createdAt: now, updatedAt: now)
            try reminder.insert(db)
            reminder.fireKey = try attachFireJob(db, reminder: reminder, rules: rules, now: now, jobs: jobs)
            try reminder.update(db)
        }
    }

    /// What reminder planning reads about a case, or nil when it is gone.
    static func reminderFacts(_ db: Database, caseID: Int64) throws -> CaseReminderFacts? {
        guard let record = try CaseRecord.fetchOne(db, key: caseID) else { return nil }
        let handler = try record.handlerID.flatMap { try HandlerRecord.fetchOne(db, key: $0) }
        let supervisor = try handler?.supervisorID.flatMap { try HandlerRecord.fetchOne(db, key: $0) }
        let restricted = try Bool.fetchOne(db, sql: "SELECT restrictedAt IS NOT NULL FROM person WHERE id = ?", arguments: [record.personID]) ?? false
        let followUps = try Row.fetchAll(db, sql: "SELECT id, dueAt FROM followUp WHERE caseID = ? AND status = ? ORDER BY dueAt, id",
                                         arguments: [caseID, FollowUpStatus.planned.rawValue])
        return CaseReminderFacts(status: record.status, personRestricted: restricted, handler: handler?.facts, supervisor: supervisor?.facts,
                                 plannedFollowUps: followUps.map { .init(id: $0["id"], dueAt: $0["dueAt"]) })
    }

    /// The reminder.fire job that will send `reminder`: its own, or its recipient's next daily digest.
    func attachFireJob(_ db: Database, reminder: ReminderRecord, rules: ReminderRules, now: Date, jobs: JobCollector) throws -> String {
        let settings = try reminder.recipient.handlerID.map { try Self.notifySettings(db, handlerID: $0) }
        let schedule = reminderSchedule
        let candidate = schedule.fireJob(reminderID: reminder.id!, rule: reminder.rule, dueSlot: reminder.dueSlot, addressee: reminder.recipient,
                                         settings: settings, rules: rules, now: now)
        let existing = try Row.fetchOne(db, sql: "SELECT id, state, dueAt FROM job WHERE idempotencyKey = ?", arguments: [candidate.key.description])
        switch schedule.choose(candidate, existing: existing.flatMap { JobState(rawValue: $0["state"]) }, reminderID: reminder.id!,
                               dueSlot: reminder.dueSlot, now: now) {
        case .join(let key):
            return key.description
        case .revive(let key):
            let job = existing!
            try db.execute(sql: "UPDATE job SET state = 'pending', updatedAt = ? WHERE id = ?", arguments: [now, job["id"] as Int64])
            jobs.add(DueJob(id: job["id"], kind: Self.reminderFireKind, dueAt: job["dueAt"]))
            return key.description
        case .create(let key, let due):
            try insertFireJob(db, key: key.description, due: due, now: now, jobs: jobs)
            return key.description
        }
    }

    func insertFireJob(_ db: Database, key: String, due: Date, now: Date, jobs: JobCollector?) throws {
        var job = JobRecord(id: nil, kind: Self.reminderFireKind, payload: WireJSON.text(ReminderFirePayload(key: key)), dueAt: due, idempotencyKey: key,
                            state: .pending, attempts: 0, leaseOwner: nil, leaseExpiresAt: nil, lastError: nil, createdAt: now, updatedAt: now)
        try job.insert(db)
        jobs?.add(DueJob(id: job.id!, kind: job.kind, dueAt: due))
    }

    func cancelFireJobIfUnused(_ db: Database, key: String?, now: Date) throws {
        guard let key else { return }
        let used = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM reminder WHERE fireKey = ? AND state = 'planned')", arguments: [key]) ?? false
        if !used {
            try db.execute(sql: "UPDATE job SET state = 'cancelled', updatedAt = ? WHERE idempotencyKey = ? AND state = 'pending'", arguments: [now, key])
        }
    }

    static func notifySettings(_ db: Database, handlerID: Int64) throws -> HandlerNotifySettings {
        var settings = HandlerNotifySettings()
        guard let row = try Row.fetchOne(db, sql: "SELECT channels, quietHours, delivery, digestAt FROM handlerNotify WHERE handlerID = ?",
                                         arguments: [handlerID]) else { return settings }
        let channels: String = row["channels"]
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        settings.channels = (try? decoder.decode([ChannelConsent].self, from: Data(channels.utf8))) ?? []
        settings.quietHours = (row["quietHours"] as String?).flatMap(DayWindow.init(parsing:))
        settings.delivery = DeliveryMode(rawValue: row["delivery"]) ?? .immediate
        settings.digestAt = (row["digestAt"] as String?).flatMap(DayWindow.secondOfDay)
        return settings
    }

    /// Who a reminder to `addressee` reaches: the handler, or for the administrators the active
    /// handlers named in `[alerts] handlers` (the composer adds the configured addresses). The one
    /// place recipients are worked out: for sending, for previews and for alerts.
    static func recipients(_ db: Database, of addressee: ReminderAddressee, alertHandlers: [String]) throws -> [ReminderRecipient] {
        switch addressee {
        case .handler(let id):
            guard let handler = try HandlerRecord.fetchOne(db, key: id) else { return [] }
            return [ReminderRecipient(handler: handler, settings: try notifySettings(db, handlerID: id))]
        case .admins:
            return try alertHandlers.compactMap { code in
                guard let handler = try HandlerRecord.filter(Column("code") == code && Column("active") == true).fetchOne(db) else { return nil }
                return ReminderRecipient(handler: handler, settings: try notifySettings(db, handlerID: handler.id!))
            }
        }
    }
}

extension HandlerRecord {
    var facts: HandlerFacts { HandlerFacts(id: id!, code: code, active: active) }
}
