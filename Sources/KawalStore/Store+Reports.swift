import Foundation
import GRDB

/// Months a report covers, in the deployment's time zone: `[start, end)`.
public struct ReportPeriod: Sendable, Equatable {
    public var label: String
    public var firstDay: String
    public var lastDay: String
    public var start: Date
    public var end: Date
}

/// The raw figures of a case report, before suppression: counts only, never a name, NIK, phone or free text.
public struct CaseReportFigures: Sendable {
    public struct Group: Sendable {
        public var keys: [String]
        public var opened = 0
        public var resolved = 0
        public var openAtEnd = 0
        public var followUpsOnTime = 0
        public var followUpsLate = 0
        public var medianDays: Double?
    }

    public var groups: [Group]
    public var totalMedianDays: Double?
    /// (service, outcome, count)
    public var referrals: [(service: String, outcome: String, count: Int)]
    /// Violence cases opened in the period, per SIMFONI-PPA category.
    public var violenceForms: [(String, Int)]
    public var violencePlaces: [(String, Int)]
    public var violenceRelationships: [(String, Int)]
}

extension TimeContext {
    static let periodHelp = "expected YYYY-MM or YYYY-MM..YYYY-MM (e.g. 2025-01..2025-03)"

    /// `2025-01..2025-03` (January to March 2025) or `2025-03` (one month).
    public func reportPeriod(_ text: String) throws(StoreError) -> ReportPeriod {
        let parts = text.trimmingSpaces.components(separatedBy: "..")
        guard (1...2).contains(parts.count) else { throw .invalid(field: "period", message: "'\(text)': \(Self.periodHelp)") }
        var months: [(Int, Int)] = []
        for part in parts {
            let fields = part.split(separator: "-", omittingEmptySubsequences: false)
            guard fields.count == 2, fields[0].count == 4, fields[1].count == 2, let year = Int(fields[0]), let month = Int(fields[1]),
                  (1900...2200).contains(year), (1...12).contains(month) else {
                throw .invalid(field: "period", message: "'\(text)': \(Self.periodHelp)")
            }
            months.append((year, month))
        }
        let first = months[0]
        let last = months.last!
        guard first.0 * 12 + first.1 <= last.0 * 12 + last.1 else {
            throw .invalid(field: "period", message: "'\(text)' ends before it starts: \(Self.periodHelp)")
        }
        let calendar = self.calendar
        guard let start = calendar.date(from: DateComponents(year: first.0, month: first.1, day: 1)),
              let lastStart = calendar.date(from: DateComponents(year: last.0, month: last.1, day: 1)),
              let end = calendar.date(byAdding: .month, value: 1, to: lastStart) else {
            throw .invalid(field: "period", message: "'\(text)': \(Self.periodHelp)")
        }
        func month(_ m: (Int, Int)) -> String { Self.zeroPadded(m.0, 4) + "-" + Self.zeroPadded(m.1, 2) }
        let label = parts.count == 1 || first == last ? month(first) : month(first) + ".." + month(last)
        return ReportPeriod(label: label, firstDay: calendarDay(of: start), lastDay: calendarDay(of: end.addingTimeInterval(-1)),
                            start: start, end: end)
    }

    /// The calendar month before the one `date` falls in, as a period: what a monthly report covers.
    public func previousMonth(before date: Date) throws(StoreError) -> ReportPeriod {
        let calendar = self.calendar
        let parts = calendar.dateComponents([.year, .month], from: date)
        var year = parts.year ?? 2000
        var month = (parts.month ?? 1) - 1
        if month == 0 {
            month = 12
            year -= 1
        }
        // Refused only outside the years reports cover (a job due in January 1900).
        return try reportPeriod(Self.zeroPadded(year, 4) + "-" + Self.zeroPadded(month, 2))
    }
}

extension Store {
    /// The dimensions a case report may be grouped by.
    public static let reportDimensions = ["desa", "type", "sex", "age_band", "disability", "status"]

    /// SQL for the age band of a person born on `birth` (YYYY-MM-DD) at the moment `at`, in the
    /// SIMFONI-PPA age groups.
    static func ageBandSQL(birth: String, at: String) -> String {
        // The age is computed once per row in a scalar subquery, then banded.
        let age = "CAST(strftime('%Y', \(at)) AS INTEGER) - CAST(substr(\(birth), 1, 4) AS INTEGER) - (strftime('%m-%d', \(at)) < substr(\(birth), 6, 5))"
        return """
            (SELECT CASE WHEN age IS NULL THEN 'unknown' WHEN age < 6 THEN '0-5' WHEN age < 13 THEN '6-12' WHEN age < 18 THEN '13-17' \
            WHEN age < 25 THEN '18-24' WHEN age < 45 THEN '25-44' WHEN age < 60 THEN '45-59' ELSE '60+' END FROM (SELECT \(age) AS age))
            """
    }

    /// Whether a person's record counts as having a disability.
    static let disabilitySQL = "(p.disabilityType IS NOT NULL OR p.vulnerabilities LIKE '%\"disability\"%')"

    /// The SQL condition that leaves out people whose processing is restricted, for queries over
    /// `person` aliased `p`: reports use it, and so must anything that contacts or reminds about a person.
    public static let unrestrictedPersonSQL = "p.restrictedAt IS NULL"

    /// Cases, live and de-identified, with the dimensions a report groups by; people under
    /// restriction left out. Materialised once per report as the temporary table `rc`, indexed on
    /// (agg, ref) so that follow-ups and referrals join it by lookup, not by scan.
    static var reportCasesSQL: String {
        """
        SELECT 0 AS agg, c.id AS ref, c.type, c.village AS desa, coalesce(p.sex, 'unknown') AS sex,
               \(ageBandSQL(birth: "p.birthDate", at: "c.openedAt")) AS age_band,
               CASE WHEN \(disabilitySQL) THEN 'yes' ELSE 'no' END AS disability,
               c.status, c.openedAt, c.resolvedAt, c.violenceForm, c.violencePlace, c.perpetratorRelation
        FROM caseFile c JOIN person p ON p.id = c.personID WHERE \(unrestrictedPersonSQL)
        UNION ALL
        SELECT 1, a.id, a.type, a.village, coalesce(a.sex, 'unknown'), a.ageBand, CASE WHEN a.disability THEN 'yes' ELSE 'no' END,
               a.status, a.openedAt, a.resolvedAt, a.violenceForm, a.violencePlace, a.perpetratorRelation
        FROM caseAggregate a
        """
    }

    /// Follow-ups and referrals, live and de-identified, to join with `rc`.
    static let reportSourceSQL = """
        WITH fu AS (
          SELECT 0 AS agg, caseID AS ref, dueAt, windowHours, status, doneAt FROM followUp
          UNION ALL SELECT 1, caseAggregateID, dueAt, windowHours, status, doneAt FROM followUpAggregate
        ), rf AS (
          SELECT 0 AS agg, r.caseID AS ref, s.code AS service, r.status, r.createdAt FROM referral r JOIN service s ON s.id = r.serviceID
          UNION ALL SELECT 1, caseAggregateID, service, status, createdAt FROM referralAggregate
        )
        """

    static func checkedDimensions(_ by: [String]) throws(StoreError) -> [String] {
        guard !by.isEmpty else { throw .invalid(field: "by", message: "group by at least one of \(reportDimensions.joined(separator: ", "))") }
        for dimension in by where !reportDimensions.contains(dimension) {
            throw .invalid(field: "by", message: "'\(dimension)' is not a report dimension: expected \(reportDimensions.joined(separator: ", "))")
        }
        guard Set(by).count == by.count else { throw .invalid(field: "by", message: "each dimension once: \(by.joined(separator: ","))") }
        return by
    }

    /// The figures of a case report, computed in SQL. Reading a report is audited.
    public func caseReportFigures(period: ReportPeriod, by: [String], actor: Actor) async throws -> CaseReportFigures {
        let dimensions = try Self.checkedDimensions(by)
        let now = time.now()
        return try await pool.write { db in
            let figures = try Self.caseReportFigures(period: period, dimensions: dimensions, now: now, db)
            try AuditLog.append(db, actor: actor, action: "report.cases", object: "report",
                                detail: "period \(period.label), by \(dimensions.joined(separator: ","))")
            return figures
        }
    }

    static func caseReportFigures(period: ReportPeriod, dimensions: [String], now: Date, _ db: Database) throws -> CaseReportFigures {
        try db.execute(sql: "DROP TABLE IF EXISTS temp.rc")
        try db.execute(sql: "CREATE TEMP TABLE rc AS \(reportCasesSQL)")
        try db.execute(sql: "CREATE INDEX temp.rc_ref ON rc (agg, ref)")
        defer { try? db.execute(sql: "DROP TABLE IF EXISTS temp.rc") }
        let source = reportSourceSQL
        let columns = dimensions.map { "rc.\($0)" }.joined(separator: ", ")
        let arguments: StatementArguments = ["s": period.start, "e": period.end, "now": min(now, period.end)]
        var groups: [[String]: CaseReportFigures.Group] = [:]
        func keys(_ row: Row) -> [String] { dimensions.indices.map { (row[$0] as String?) ?? "unknown" } }

        for row in try Row.fetchAll(db, sql: """
            \(source)
            SELECT \(columns), sum(rc.openedAt >= :s AND rc.openedAt < :e) AS opened,
                   sum(rc.resolvedAt >= :s AND rc.resolvedAt < :e) AS resolved,
                   sum(rc.openedAt < :e AND (rc.resolvedAt IS NULL OR rc.resolvedAt >= :e) AND rc.status <> 'withdrawn') AS openAtEnd
            FROM rc GROUP BY \(columns)
            """, arguments: arguments) {
            let k = keys(row)
            var group = CaseReportFigures.Group(keys: k)
            group.opened = row["opened"] ?? 0
            group.resolved = row["resolved"] ?? 0
            group.openAtEnd = row["openAtEnd"] ?? 0
            if group.opened + group.resolved + group.openAtEnd > 0 { groups[k] = group }
        }
        let window = "julianday(fu.dueAt) + coalesce(fu.windowHours, 0) / 24.0"
        for row in try Row.fetchAll(db, sql: """
            \(source)
            SELECT \(columns), sum(fu.status = 'done' AND julianday(fu.doneAt) <= \(window)) AS onTime,
                   sum((fu.status = 'done' AND julianday(fu.doneAt) > \(window)) OR fu.status = 'missed'
                       OR (fu.status = 'planned' AND \(window) < julianday(:now))) AS late
            FROM fu JOIN rc ON rc.agg = fu.agg AND rc.ref = fu.ref
            WHERE fu.dueAt >= :s AND fu.dueAt < :e GROUP BY \(columns)
            """, arguments: arguments) {
            let k = keys(row)
            let onTime: Int = row["onTime"] ?? 0
            let late: Int = row["late"] ?? 0
            guard onTime + late > 0 else { continue }
            groups[k, default: CaseReportFigures.Group(keys: k)].followUpsOnTime = onTime
            groups[k, default: CaseReportFigures.Group(keys: k)].followUpsLate = late
        }
        let days = "julianday(rc.resolvedAt) - julianday(rc.openedAt)"
        for row in try Row.fetchAll(db, sql: """
            \(source)
            SELECT \(dimensions.joined(separator: ", ")), avg(d) AS median FROM (
              SELECT \(columns), \(days) AS d, row_number() OVER (PARTITION BY \(columns) ORDER BY \(days)) AS rn,
                     count(*) OVER (PARTITION BY \(columns)) AS n
              FROM rc WHERE rc.resolvedAt >= :s AND rc.resolvedAt < :e
            ) WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY \(dimensions.joined(separator: ", "))
            """, arguments: arguments) {
            groups[keys(row)]?.medianDays = row["median"]
        }
        let totalMedian = try Double.fetchOne(db, sql: """
            \(source)
            SELECT avg(d) FROM (
              SELECT \(days) AS d, row_number() OVER (ORDER BY \(days)) AS rn, count(*) OVER () AS n
              FROM rc WHERE rc.resolvedAt >= :s AND rc.resolvedAt < :e
            ) WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
            """, arguments: arguments)
        let referrals = try Row.fetchAll(db, sql: """
            \(source)
            SELECT rf.service, rf.status, count(*) AS n FROM rf JOIN rc ON rc.agg = rf.agg AND rc.ref = rf.ref
            WHERE rf.createdAt >= :s AND rf.createdAt < :e GROUP BY rf.service, rf.status ORDER BY rf.service, rf.status
            """, arguments: arguments).map { (service: $0["service"] as String, outcome: $0["status"] as String, count: $0["n"] as Int) }
        func violence(_ column: String) throws -> [(String, Int)] {
            try Row.fetchAll(db, sql: """
                \(source)
                SELECT coalesce(rc.\(column), '\(ViolenceCategories.unrecorded)') AS category, count(*) AS n FROM rc
                WHERE rc.type = 'violence' AND rc.openedAt >= :s AND rc.openedAt < :e GROUP BY 1 ORDER BY 1
                """, arguments: arguments).map { ($0["category"] as String, $0["n"] as Int) }
        }
        return CaseReportFigures(
            groups: groups.values.sorted { $0.keys.lexicographicallyPrecedes($1.keys) }, totalMedianDays: totalMedian, referrals: referrals,
            violenceForms: try violence("violenceForm"), violencePlaces: try violence("violencePlace"),
            violenceRelationships: try violence("perpetratorRelation"))
    }
}
