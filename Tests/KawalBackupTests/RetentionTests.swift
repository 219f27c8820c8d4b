import Foundation
@testable import KawalBackup
import Testing

@Suite struct RetentionTests {
    let zone = TimeZone(identifier: "Asia/Makassar")!

    func entry(_ text: String, good: Bool = true) -> BackupCatalog.Entry {
        let date = BackupNaming.parseTimestamp(text)!
        let id = BackupNaming.id(for: date)
        return BackupCatalog.Entry(id: id, dataPath: "/b/\(id).db.zst.age", manifestPath: "/b/\(id).manifest.json", manifest: nil,
                                   offsitePath: "/b/\(id).offsite.json", offsite: nil,
                                   state: good ? "ok" : "manifest missing (interrupted backup)", created: date)
    }

    @Test func keepsLastDailyWeeklyMonthlyLikeResticForget() {
        // Two backups a day (01:00 and 13:00 WITA) for 40 days.
        var entries: [BackupCatalog.Entry] = []
        let start = BackupNaming.parseTimestamp("2026-10-01T17:00:00Z")!
        for day in 0..<40 {
            for hour in [0, 12] {
                let date = start.addingTimeInterval(Double(day * 86_400 + hour * 3600))
                entries.append(entry(BackupNaming.timestamp(date)))
            }
        }
        let now = start.addingTimeInterval(41 * 86_400)
        let decisions = BackupRetention(keepLast: 2, keepDaily: 3, keepWeekly: 2, keepMonthly: 2).decide(entries, zone: zone, now: now)
        #expect(decisions.count == 80)
        let kept = decisions.filter(\.keep)
        // The 2 newest; the newest of each of 3 days (the first day's is the newest overall); 2 weeks; 2 months.
        #expect(decisions[0].reasons == ["last 1 of 2", "daily 2026-11-10", "weekly 2026-W46", "monthly 2026-11"])
        #expect(decisions[1].reasons == ["last 2 of 2"])
        #expect(decisions[2].reasons == ["daily 2026-11-09"])
        #expect(kept.contains { $0.reasons.contains("monthly 2026-10") })
        #expect(kept.contains { $0.reasons.contains("weekly 2026-W45") })
        #expect(kept.count == 5)
        for decision in decisions where !decision.keep {
            #expect(decision.reasons[0].hasPrefix("no keep rule matches"), "\(decision)")
        }
    }

    @Test func incompleteBackupsAreRemovedOnlyWhenOld() {
        let now = BackupNaming.parseTimestamp("2026-12-01T12:00:00Z")!
        let entries = [entry("2026-12-01T11:00:00Z", good: false), entry("2026-11-30T01:00:00Z", good: false), entry("2026-11-29T01:00:00Z")]
        let decisions = BackupRetention(keepLast: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 0).decide(entries, zone: zone, now: now)
        #expect(decisions.map(\.keep) == [true, false, true])
        #expect(decisions[2].reasons == ["newest good backup"])
        #expect(decisions[1].reasons[0].contains("manifest missing"))
    }

    @Test func namesRoundTrip() {
        let date = BackupNaming.parseTimestamp("2026-12-01T01:02:03Z")!
        let id = BackupNaming.id(for: date)
        #expect(id == "kawal-20261201T010203Z")
        #expect(BackupNaming.id(fromFileName: id + ".db.zst.age") == id)
        #expect(BackupNaming.id(fromFileName: id + ".manifest.json") == id)
        #expect(BackupNaming.id(fromFileName: ".tmp-" + id + ".db.zst.age-12") == nil)
        #expect(BackupNaming.date(ofID: id) == date)
    }
}
