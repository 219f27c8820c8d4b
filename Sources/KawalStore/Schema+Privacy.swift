import GRDB

extension Schema {
    /// v5-privacy: violence categories (SIMFONI-PPA), restriction of processing, the consent
    /// register's details, and the de-identified rows that keep purged cases countable.
    static func createPrivacy(_ db: Database) throws {
        try db.alter(table: "caseFile") { t in
            // SIMFONI-PPA breakdown, for violence cases only.
            t.add(column: "violenceForm", .text)
            t.add(column: "violencePlace", .text)
            t.add(column: "perpetratorRelation", .text)
            t.add(column: "legalHoldReason", .text)
        }
        try db.alter(table: "person") { t in
            // Set while processing is restricted (UU PDP): no reminders, no reports.
            t.add(column: "restrictedAt", .datetime)
            t.add(column: "restrictionReason", .text)
        }
        try db.alter(table: "consent") { t in
            // The day it was given (YYYY-MM-DD), which may be before it was recorded.
            t.add(column: "givenOn", .text)
            // self or guardian; a guardian for a child under 18.
            t.add(column: "givenBy", .text).notNull().defaults(to: "self")
            t.add(column: "guardianName", .text)
            // Where the proof is: a form number, a recording's file name.
            t.add(column: "proofRef", .text)
            t.add(column: "withdrawnAt", .datetime)
            t.add(column: "withdrawalReason", .text)
        }
        // A purged or erased case, de-identified: what past reports count, nothing that names anyone.
        try db.create(table: "caseAggregate") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("type", .text).notNull()
            t.column("village", .text).notNull()
            t.column("sex", .text)
            t.column("ageBand", .text).notNull()
            t.column("disability", .boolean).notNull()
            t.column("status", .text).notNull()
            t.column("openedAt", .datetime).notNull()
            t.column("resolvedAt", .datetime)
            t.column("closedAt", .datetime)
            t.column("violenceForm", .text)
            t.column("violencePlace", .text)
            t.column("perpetratorRelation", .text)
            // retention or erasure
            t.column("reason", .text).notNull()
            t.column("removedAt", .datetime).notNull()
        }
        try db.create(table: "followUpAggregate") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("caseAggregateID", .integer).notNull().indexed().references("caseAggregate", onDelete: .cascade)
            t.column("dueAt", .datetime).notNull()
            t.column("windowHours", .integer)
            t.column("status", .text).notNull()
            t.column("doneAt", .datetime)
        }
        try db.create(table: "referralAggregate") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("caseAggregateID", .integer).notNull().indexed().references("caseAggregate", onDelete: .cascade)
            t.column("service", .text).notNull()
            t.column("status", .text).notNull()
            t.column("createdAt", .datetime).notNull()
        }
    }
}
