import GRDB

extension Schema {
    /// v4-reminders: follow-ups created by plans, handlers' reminder settings, and the reminders.
    static func createReminders(_ db: Database) throws {
        // Which follow-ups a plan made, so that applying a plan twice makes nothing new.
        try db.create(table: "planFollowUp") { t in
            t.primaryKey("followUpID", .integer).references("followUp", onDelete: .cascade)
            t.column("caseID", .integer).notNull().references("caseFile", onDelete: .cascade)
            t.column("plan", .text).notNull()
            // What started the plan: "open", "referral/ID", "status/NAME".
            t.column("occasion", .text).notNull()
            t.column("step", .integer).notNull()
            t.uniqueKey(["caseID", "plan", "occasion", "step"])
        }
        try db.create(table: "handlerNotify") { t in
            t.primaryKey("handlerID", .integer).references("handler", onDelete: .cascade)
            // [ChannelConsent] in order of preference.
            t.column("channels", .jsonText).notNull().defaults(to: "[]")
            // "21:00-07:00"; null: the configured default.
            t.column("quietHours", .text)
            t.column("delivery", .text).notNull().defaults(to: "immediate")
            // "07:00"; null: the configured default.
            t.column("digestAt", .text)
            t.column("updatedAt", .datetime).notNull()
        }
        try db.create(table: "reminder") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("caseID", .integer).notNull().indexed().references("caseFile", onDelete: .cascade)
            // The subject: the follow-up the reminder is about.
            t.column("followUpID", .integer).notNull().references("followUp", onDelete: .cascade)
            // due (to the handler) or escalation (to the supervisor or the admins).
            t.column("rule", .text).notNull()
            t.column("dueSlot", .datetime).notNull()
            // "handler/ID" or "admins".
            t.column("recipient", .text).notNull()
            // planned, queued, skipped, cancelled; a queued reminder's delivery is its job's state.
            t.column("state", .text).notNull()
            // The key of the reminder.fire job that will send it (shared by the items of one digest).
            t.column("fireKey", .text).indexed()
            t.column("channel", .text)
            t.column("messageID", .text)
            t.column("jobID", .integer).indexed()
            t.column("note", .text)
            t.column("createdAt", .datetime).notNull()
            t.column("updatedAt", .datetime).notNull()
            t.uniqueKey(["followUpID", "rule", "dueSlot", "recipient"])
        }
    }
}
