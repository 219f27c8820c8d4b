import Foundation
import GRDB
import KawalDomain

/// Reminders as administrators read and steer them, and how handlers are reminded.
extension Store {
    /// Reminders, newest first, with their delivery state; `state` filters on that state.
    public func reminders(handler: String?, state: ReminderDelivery?, caseID: Int64? = nil, limit: Int?, actor: Actor) async throws -> [ReminderView] {
        try actor.require(.listReminders)
        let pageSize = Self.pageLimit(limit)
        let now = time.now()
        return try await pool.write { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let handler {
                guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM handler WHERE code = ?", arguments: [handler]) else {
                    throw StoreError.invalid(field: "handler", message: "no handler with code '\(handler)'; 'kawalctl handler list' shows them")
                }
                conditions.append("(r.recipient = ? OR c.handlerID = ?)")
                _ = arguments.append(contentsOf: [ReminderAddressee.handler(id).description, id])
            }
            if let caseID {
                conditions.append("r.caseID = ?")
                _ = arguments.append(contentsOf: [caseID])
            }
            let sql = """
                SELECT r.*, c.code AS caseCode, j.state AS jobState, j.dueAt AS jobDue, j.lastError AS jobError,
                       fj.dueAt AS fireDue, h.code AS recipientCode
                FROM reminder r JOIN caseFile c ON c.id = r.caseID
                LEFT JOIN job j ON j.id = r.jobID
                LEFT JOIN job fj ON fj.idempotencyKey = r.fireKey
                LEFT JOIN handler h ON 'handler/' || h.id = r.recipient
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) ORDER BY r.id DESC
                """
            var views: [ReminderView] = []
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try cursor.next(), views.count < pageSize {
                let record = try ReminderRecord(row: row)
                let delivery = ReminderDelivery(reminder: record.state, job: (row["jobState"] as String?).flatMap(JobState.init(rawValue:)),
                                                jobDue: row["jobDue"], now: now)
                if let state, state != delivery { continue }
                let sendAt: Date? = record.state == .planned ? row["fireDue"] : row["jobDue"]
                views.append(ReminderView(record: record, caseCode: row["caseCode"], recipientLabel: row["recipientCode"] ?? record.recipient.description,
                                          delivery: delivery, sendAt: sendAt, lastError: row["jobError"] ?? record.note))
            }
            try AuditLog.append(db, actor: actor, action: "reminder.list", object: "reminder", detail: "\(views.count) shown")
            return views
        }
    }

    /// The batches a case's planned reminders would make if they fired now, for `reminder preview`.
    public func previewReminders(caseID: Int64?, code: String?, actor: Actor) async throws -> [ReminderBatch] {
        try actor.require(.previewReminders)
        let alertHandlers = reminderHub.state.withLock { $0.alertHandlers }
        return try await pool.write { db in
            let record = try Self.visibleCase(id: caseID, code: code, actor: actor, db)
            let reminders = try ReminderRecord.filter(Column("caseID") == record.id! && Column("state") == ReminderState.planned.rawValue)
                .order(Column("dueSlot")).fetchAll(db)
            var batches: [ReminderBatch] = []
            for reminder in reminders {
                batches.append(ReminderBatch(fireKey: reminder.fireKey ?? "", purpose: reminder.rule == .escalation ? .escalation : .reminder,
                                             messageBase: "preview-\(reminder.id!)",
                                             recipients: try Self.recipients(db, of: reminder.recipient, alertHandlers: alertHandlers),
                                             toAdmins: reminder.recipient == .admins, items: [try Self.item(db, reminder)]))
            }
            try AuditLog.append(db, actor: actor, action: "reminder.preview", object: "case/\(record.code)")
            return batches
        }
    }

    /// Sends a planned reminder now instead of at its time (its digest, if any, goes without it).
    public func sendReminderNow(id: Int64, actor: Actor) async throws -> ReminderRecord {
        try actor.require(.sendReminder)
        let now = time.now()
        return try await writeWithReminders { db, jobs in
            guard var reminder = try ReminderRecord.fetchOne(db, key: id) else { throw StoreError.notFound(object: "reminder/\(id)") }
            guard reminder.state == .planned else {
                throw StoreError.invalid(field: "id", message: "reminder/\(id) is \(reminder.state); only planned reminders are sent early ('kawalctl job retry' resends a failed one)")
            }
            let previous = reminder.fireKey
            let key = FireKey.reminderAgain(id, at: Milliseconds.of(now)).description
            try self.insertFireJob(db, key: key, due: now, now: now, jobs: jobs)
            reminder.fireKey = key
            reminder.updatedAt = now
            try reminder.update(db)
            try self.cancelFireJobIfUnused(db, key: previous, now: now)
            let code = try String.fetchOne(db, sql: "SELECT code FROM caseFile WHERE id = ?", arguments: [reminder.caseID]) ?? ""
            try AuditLog.append(db, actor: actor, action: "reminder.send_now", object: "case/\(code)", detail: "reminder/\(id)")
            return reminder
        }
    }

    // MARK: Handler settings

    /// The handlers named in [alerts] handlers (active ones), with their settings.
    public func alertRecipients() async throws -> [ReminderRecipient] {
        let codes = reminderHub.state.withLock { $0.alertHandlers }
        return try await pool.read { db in try Self.recipients(db, of: .admins, alertHandlers: codes) }
    }

    public func handlerNotify(code: String) async throws -> ReminderRecipient {
        try await pool.read { db in
            guard let handler = try HandlerRecord.filter(Column("code") == code).fetchOne(db) else { throw StoreError.notFound(object: "handler/\(code)") }
            return ReminderRecipient(handler: handler, settings: try Self.notifySettings(db, handlerID: handler.id!))
        }
    }

    /// Changes how a handler is reminded. `channels` (in order of preference) replaces the list; a
    /// channel not consented to before needs `consentMethod`, and the consent is recorded now.
    public func setHandlerNotify(code: String, channels: [String]?, consentMethod: String?, quietHours: String?, delivery: String?,
                                 digestAt: String?, actor: Actor) async throws -> ReminderRecipient {
        try actor.require(.changeNotifySettings)
        if let channels {
            for channel in channels where !ChannelConsent.channels.contains(channel) {
                throw StoreError.invalid(field: "channels", message: "'\(channel)' is not a channel: expected \(ChannelConsent.channels.joined(separator: ", "))")
            }
            guard Set(channels).count == channels.count else { throw StoreError.invalid(field: "channels", message: "a channel is named twice") }
        }
        if let quietHours, !quietHours.isEmpty, DayWindow(parsing: quietHours) == nil {
            throw StoreError.invalid(field: "quiet_hours", message: "'\(quietHours)' is not a window: expected HH:MM-HH:MM (e.g. 21:00-07:00), or empty for the default")
        }
        if let delivery, DeliveryMode(rawValue: delivery) == nil {
            throw StoreError.invalid(field: "delivery", message: "expected immediate or digest")
        }
        if let digestAt, !digestAt.isEmpty, DayWindow.secondOfDay(digestAt) == nil {
            throw StoreError.invalid(field: "digest_at", message: "'\(digestAt)' is not a time of day: expected HH:MM (e.g. 07:00), or empty for the default")
        }
        let now = time.now()
        return try await pool.write { db in
            guard let handler = try HandlerRecord.filter(Column("code") == code).fetchOne(db) else { throw StoreError.notFound(object: "handler/\(code)") }
            var settings = try Self.notifySettings(db, handlerID: handler.id!)
            if let channels {
                var consents: [ChannelConsent] = []
                for channel in channels {
                    if let known = settings.channels.first(where: { $0.channel == channel }) {
                        consents.append(known)
                        continue
                    }
                    guard let method = consentMethod, !method.trimmingSpaces.isEmpty else {
                        throw StoreError.invalid(field: "consent_method", message: "handler \(code) has not agreed to reminders by \(channel) yet: say how they agreed (written, verbal, message)")
                    }
                    if channel == "email" && (handler.email ?? "").isEmpty {
                        throw StoreError.invalid(field: "channels", message: "handler \(code) has no e-mail address; add one with 'kawalctl handler update \(code) --email …'")
                    }
                    if channel != "email" && (handler.phone ?? "").isEmpty {
                        throw StoreError.invalid(field: "channels", message: "handler \(code) has no phone number; add one with 'kawalctl handler update \(code) --phone …'")
                    }
                    consents.append(ChannelConsent(channel: channel, consentAt: now, method: method, recordedBy: actor.label))
                }
                settings.channels = consents
            }
            if let quietHours { settings.quietHours = quietHours.isEmpty ? nil : DayWindow(parsing: quietHours) }
            if let delivery { settings.delivery = DeliveryMode(rawValue: delivery)! }
            if let digestAt { settings.digestAt = digestAt.isEmpty ? nil : DayWindow.secondOfDay(digestAt) }
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            let channelsJSON = String(decoding: try encoder.encode(settings.channels), as: UTF8.self)
            try db.execute(sql: """
                INSERT INTO handlerNotify (handlerID, channels, quietHours, delivery, digestAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (handlerID) DO UPDATE SET channels = excluded.channels, quietHours = excluded.quietHours,
                  delivery = excluded.delivery, digestAt = excluded.digestAt, updatedAt = excluded.updatedAt
                """, arguments: [handler.id!, channelsJSON, settings.quietHours?.description, settings.delivery.rawValue,
                                 settings.digestAt.map(DayWindow.clock), now])
            try AuditLog.append(db, actor: actor, action: "handler.notify_settings", object: "handler/\(code)",
                                detail: "channels \(settings.channels.map(\.channel).joined(separator: ",")); \(settings.delivery.rawValue)")
            return ReminderRecipient(handler: handler, settings: settings)
        }
    }
}
