import Foundation

/// Which backups to keep, like `restic forget`: the newest `keepLast`, then the newest backup of
/// each of the last `keepDaily` days, `keepWeekly` ISO weeks and `keepMonthly` months that have one.
/// A backup may be kept for several reasons. The newest good backup is always kept.
///
/// ```swift
/// let decisions = BackupRetention(keepLast: 3, keepDaily: 7).decide(catalog.entries, zone: zone)
/// ```
public struct BackupRetention: Sendable, Equatable {
    public var keepLast: Int
    public var keepDaily: Int
    public var keepWeekly: Int
    public var keepMonthly: Int

    public init(keepLast: Int = 3, keepDaily: Int = 7, keepWeekly: Int = 5, keepMonthly: Int = 12) {
        self.keepLast = keepLast
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
    }

    public struct Decision: Sendable, Equatable {
        public var id: String
        public var keep: Bool
        public var reasons: [String]
    }

    /// Incomplete backups (no manifest) younger than this are left alone: one may be being written.
    public static let incompleteGrace: TimeInterval = 6 * 3600

    /// A decision for every entry, newest first.
    public func decide(_ entries: [BackupCatalog.Entry], zone: TimeZone, now: Date = Date()) -> [Decision] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = zone
        let ordered = entries.sorted { ($0.created, $0.id) > ($1.created, $1.id) }
        var decisions: [Decision] = []
        var lastCount = 0
        var buckets: [(name: String, limit: Int, key: (Date) -> String, seen: Set<String>)] = [
            ("daily", keepDaily, { date in
                let parts = calendar.dateComponents([.year, .month, .day], from: date)
                return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            }, []),
            ("weekly", keepWeekly, { date in
                let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
                return String(format: "%04d-W%02d", parts.yearForWeekOfYear!, parts.weekOfYear!)
            }, []),
            ("monthly", keepMonthly, { date in
                let parts = calendar.dateComponents([.year, .month], from: date)
                return String(format: "%04d-%02d", parts.year!, parts.month!)
            }, []),
        ]
        let newestGood = ordered.first(where: \.isGood)?.id
        for entry in ordered {
            guard entry.isGood else {
                if now.timeIntervalSince(entry.created) < Self.incompleteGrace {
                    decisions.append(Decision(id: entry.id, keep: true, reasons: ["not complete (\(entry.state)), but recent: may be being written"]))
                } else {
                    decisions.append(Decision(id: entry.id, keep: false, reasons: ["not a good backup: \(entry.state)"]))
                }
                continue
            }
            var reasons: [String] = []
            if lastCount < keepLast {
                lastCount += 1
                reasons.append("last \(lastCount) of \(keepLast)")
            }
            for index in buckets.indices {
                let key = buckets[index].key(entry.created)
                if buckets[index].seen.count < buckets[index].limit, !buckets[index].seen.contains(key) {
                    buckets[index].seen.insert(key)
                    reasons.append("\(buckets[index].name) \(key)")
                }
            }
            if reasons.isEmpty && entry.id == newestGood { reasons.append("newest good backup") }
            decisions.append(Decision(id: entry.id, keep: !reasons.isEmpty, reasons: reasons.isEmpty ? ["no keep rule matches (keep_last \(keepLast), keep_daily \(keepDaily), keep_weekly \(keepWeekly), keep_monthly \(keepMonthly))"] : reasons))
        }
        return decisions
    }
}
