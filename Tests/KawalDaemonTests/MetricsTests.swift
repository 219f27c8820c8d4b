import Foundation
import Testing
import Varlink
@testable import KawalDaemon

@Suite struct MetricsTests {
    /// The value of one series in the rendered text, or nil.
    func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func callsAreCountedPerDeclaredMethodAndInventedOnesAsOther() throws {
        var service = VarlinkService<Void>(vendor: "t", product: "t", version: "1", url: "u")
        try service.register(interface: VarlinkInterface(parsing: """
            interface org.example.t
            method Ok() -> ()
            method Fails() -> ()
            error Nope ()
            """), methods: [
                "Ok": .immediate { _ in [:] },
                "Fails": .immediate { _ in throw VarlinkError("org.example.t.Nope") },
            ])
        let metrics = KawalMetrics()
        metrics.observeCalls(of: &service)
        for method in ["org.example.t.Ok", "org.example.t.Ok", "org.example.t.Fails", "org.example.t.Invented", "x.y.Z"] {
            _ = service.dispatch(VarlinkCall(method: method), context: (), peer: nil)
        }
        let text = metrics.render()
        #expect(value(text, #"kawal_requests_total{method="org.example.t.Ok"}"#) == 2)
        #expect(value(text, #"kawal_request_errors_total{method="org.example.t.Ok"}"#) == 0)
        #expect(value(text, #"kawal_request_errors_total{method="org.example.t.Fails"}"#) == 1)
        #expect(value(text, #"kawal_requests_total{method="other"}"#) == 2)
        #expect(value(text, #"kawal_request_duration_seconds_count{method="org.example.t.Ok"}"#) == 2)
        #expect(!text.contains("Invented"))
    }

    @Test func jobStatesAlwaysHaveASeries() {
        let metrics = KawalMetrics()
        #expect(value(metrics.render(), #"kawal_jobs{state="dead"}"#) == 0)
        metrics.setJobCounts(["pending": 4, "dead": 1, "done": 9])
        let text = metrics.render()
        #expect(value(text, #"kawal_jobs{state="pending"}"#) == 4)
        #expect(value(text, #"kawal_jobs{state="dead"}"#) == 1)
        #expect(value(text, #"kawal_jobs{state="leased"}"#) == 0)
        #expect(value(text, #"kawal_jobs{state="done"}"#) == 9)
    }

    @Test func backupAgeFollowsTheNewestGoodBackup() {
        let metrics = KawalMetrics()
        #expect(!metrics.render().contains("kawal_backup_last_success"))
        let backup = Date(timeIntervalSince1970: 1_800_000_000)
        metrics.backupSucceeded(at: backup)
        // An older backup found later (at start, say) does not make the newest one look older.
        metrics.backupSucceeded(at: backup.addingTimeInterval(-86_400))
        let text = metrics.render(now: backup.addingTimeInterval(3_600))
        #expect(value(text, "kawal_backup_last_success_timestamp_seconds") == 1_800_000_000)
        #expect(value(text, "kawal_backup_last_success_age_seconds") == 3_600)
        metrics.backupFailed()
        metrics.reminderSent(channel: "sms")
        metrics.reminderSent(channel: "sms")
        metrics.reminderFailed(channel: "email")
        let later = metrics.render()
        #expect(value(later, "kawal_backups_failed_total") == 1)
        #expect(value(later, #"kawal_reminders_sent_total{channel="sms"}"#) == 2)
        #expect(value(later, #"kawal_reminders_failed_total{channel="email"}"#) == 1)
    }

    @Test func textfileIsReplacedWhole() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kawal-metrics-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/collector/kawal.prom"
        try MetricsTextfileService.write("a 1\n", to: path)
        try MetricsTextfileService.write("b 2\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "b 2\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/collector") == ["kawal.prom"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o644)
    }

    @Test func metricsSettingsAreReadAndChecked() throws {
        let config = try Configuration.parse("[metrics]\ntextfile = \"/run/kawal/metrics/kawal.prom\"\ninterval = \"15s\"\n", file: "k.toml")
        #expect(config.metrics.textfile == "/run/kawal/metrics/kawal.prom")
        #expect(config.metrics.interval == 15)
        #expect(Configuration().metrics.textfile == nil)
        #expect(throws: ConfigurationError.self) { try Configuration.parse("[metrics]\ntextfile = \"/tmp/kawal.txt\"\n", file: "k.toml") }
        do {
            _ = try Configuration.parse("[metrics]\n\ntextfile = \"metrics/kawal.prom\"\n", file: "k.toml")
            Issue.record("a relative path was accepted")
        } catch {
            #expect(error.description == "k.toml:3: metrics.textfile: 'metrics/kawal.prom' is relative: expected an absolute path")
        }
    }
}
