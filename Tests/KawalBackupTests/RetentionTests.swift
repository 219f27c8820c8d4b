import Foundation
@testable import KawalBackup
import XCTest

final class RetentionTests: XCTestCase {
    let zone = TimeZone(identifier: "Asia/Makassar")!

    func entry(_ text: String, good: Bool = true) -> BackupCatalog.Entry {
        let date = BackupNaming.parseTimestamp(text)!
        let id = BackupNaming.id(for: date)
        return BackupCatalog.Entry(id: id, dataPath: "/b/\(id).db.zst.age", manifestPath: "/b/\(id).manifest.json", manifest: nil,
                                   offsitePath: "/b/\(id).offsite.json", offsite: nil,
                                   state: good ? "ok" : "manifest missing (interrupted backup)", created: date)
    }

    func testKeepsLastDailyWeeklyMonthlyLikeResticForget() {
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
        XCTAssertEqual(decisions.count, 80)
        let kept = decisions.filter(\.keep)
        // The 2 newest; the newest of each of 3 days (the first day's is the newest overall); 2 weeks; 2 months.
        XCTAssertEqual(decisions[0].reasons, ["last 1 of 2", "daily 2026-11-10", "weekly 2026-W46", "monthly 2026-11"])
        XCTAssertEqual(decisions[1].reasons, ["last 2 of 2"])
        XCTAssertEqual(decisions[2].reasons, ["daily 2026-11-09"])
        XCTAssertTrue(kept.contains { $0.reasons.contains("monthly 2026-10") })
        XCTAssertTrue(kept.contains { $0.reasons.contains("weekly 2026-W45") })
        XCTAssertEqual(kept.count, 5)
        for decision in decisions where !decision.keep {
            XCTAssertTrue(decision.reasons[0].hasPrefix("no keep rule matches"), "\(decision)")
        }
    }

    func testIncompleteBackupsAreRemovedOnlyWhenOld() {
        let now = BackupNaming.parseTimestamp("2026-12-01T12:00:00Z")!
        let entries = [entry("2026-12-01T11:00:00Z", good: false), entry("2026-11-30T01:00:00Z", good: false), entry("2026-11-29T01:00:00Z")]
        let decisions = BackupRetention(keepLast: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 0).decide(entries, zone: zone, now: now)
        XCTAssertEqual(decisions.map(\.keep), [true, false, true])
        XCTAssertEqual(decisions[2].reasons, ["newest good backup"])
        XCTAssertTrue(decisions[1].reasons[0].contains("manifest missing"))
    }

    func testNamesRoundTrip() {
        let date = BackupNaming.parseTimestamp("2026-12-01T01:02:03Z")!
        let id = BackupNaming.id(for: date)
        XCTAssertEqual(id, "kawal-20261201T010203Z")
        XCTAssertEqual(BackupNaming.id(fromFileName: id + ".db.zst.age"), id)
        XCTAssertEqual(BackupNaming.id(fromFileName: id + ".manifest.json"), id)
        XCTAssertNil(BackupNaming.id(fromFileName: ".tmp-" + id + ".db.zst.age-12"))
        XCTAssertEqual(BackupNaming.date(ofID: id), date)
    }
}
