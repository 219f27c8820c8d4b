import Foundation
import KawalTesting
import Testing
import Varlink

/// The scheduler and plugin host with real plugin processes that misbehave on request.
@Suite(.serialized) struct SchedulerTests {
    static func config(plugins: [(name: String, mode: String, capability: String, sink: String)], extra: String = "") throws -> String {
        let plugin = try KawalBinaries.path(of: "kawal-test-plugin")
        var text = """
            [scheduler]
            lease = "2s"
            plugin_ping = "1s"
            plugin_handshake_timeout = "2s"
            retry_base = "1s"
            retry_cap = "2s"
            \(extra)

            """
        for p in plugins {
            text += """

                [plugins.\(p.name)]
                exec = "\(plugin)"
                env = { MODE = "\(p.mode)", CAPABILITY = "\(p.capability)", SINK = "\(p.sink)" }

                """
        }
        return text
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func enqueue(_ c: VarlinkConnection, kind: String, key: String, due: String? = nil) throws -> [String: JSONValue] {
        var parameters: [String: JSONValue] = ["kind": .string(kind), "payload": "{}", "idempotency_key": .string(key)]
        if let due { parameters["due"] = .string(due) }
        return try c.call("io.kawal.Jobs.Enqueue", parameters)
    }

    @Test func everyJobReachesItsPluginOnce() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sink = directory + "/sink"
        let kawald = try KawalInstance.start(.init(config: try Self.config(plugins: [("sink", "ok", "test.sink", sink)])), directory: directory)
        let c = try kawald.connect()
        for i in 0..<300 { _ = try enqueue(c, kind: "test.sink", key: "job-\(i)") }
        #expect(try enqueue(c, kind: "test.sink", key: "job-0")["created"] == false, "an idempotency key is enqueued once")
        #expect(waitUntil(30) { Self.lines(sink).count >= 300 })
        #expect(Set(Self.lines(sink)) == Set((0..<300).map { "job-\($0)" }))
        #expect(Self.lines(sink).count == 300, "no job was delivered twice")
        let status = try c.call("io.kawal.Daemon.Status")
        #expect(status["counts"]?["plugins_running"] == 1)
        #expect(waitUntil(5) { (try? c.call("io.kawal.Daemon.Status")["counts"]?["jobs_pending"]) == 0 })
        #expect(kawald.log.contains("kawal.plugin=sink"), "plugin stderr is logged under its name")
    }

    @Test func crashingHangingAndFlakyPluginsLoseNothing() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plugins = [
            ("crasher", "crash-after:40", "chaos.crash", directory + "/crash"),
            ("hanger", "hang-after:40", "chaos.hang", directory + "/hang"),
            ("flaky", "fail-every:3", "chaos.flaky", directory + "/flaky"),
            ("slow", "slow:5", "chaos.slow", directory + "/slow"),
            ("garbage", "garbage", "chaos.garbage", directory + "/garbage"),
        ]
        let kawald = try KawalInstance.start(.init(config: try Self.config(plugins: plugins, extra: "plugin_crash_limit = 20")), directory: directory)
        let c = try kawald.connect()
        let kinds = ["chaos.crash", "chaos.hang", "chaos.flaky", "chaos.slow"]
        for kind in kinds {
            for i in 0..<100 { _ = try enqueue(c, kind: kind, key: "\(kind)-\(i)") }
        }
        let sinks = [directory + "/crash", directory + "/hang", directory + "/flaky", directory + "/slow"]
        var statusAnswered = 0
        let complete = waitUntil(120) {
            if (try? kawald.kawalctl(["status", "--json"]).status) == 0 { statusAnswered += 1 }
            return zip(kinds, sinks).allSatisfy { kind, sink in Set(Self.lines(sink)).count >= 100 }
        }
        #expect(complete, "not every job arrived: \(zip(kinds, sinks).map { "\($0): \(Set(Self.lines($1)).count)" })")
        #expect(statusAnswered > 0, "kawald answered status while plugins misbehaved")
        for (kind, sink) in zip(kinds, sinks) {
            let received = Self.lines(sink)
            #expect(Set(received) == Set((0..<100).map { "\(kind)-\($0)" }), "\(kind): keys missing")
            // A repeat is only possible for a job whose lease ended without an answer: it was attempted more than once.
            let repeated = Dictionary(grouping: received, by: { $0 }).filter { $0.value.count > 1 }.keys
            for key in repeated {
                let jobs = try c.call("io.kawal.Jobs.List", ["kind": .string(kind), "limit": 500])["jobs"]!.arrayValue!
                let job = jobs.first { $0["idempotency_key"]?.stringValue == key }
                #expect((job?["attempts"]?.intValue ?? 0) > 1, "\(key) arrived twice without a second attempt")
            }
        }
        let plugins_ = try c.call("io.kawal.Jobs.Plugins")["plugins"]!.arrayValue!
        let byName = Dictionary(uniqueKeysWithValues: plugins_.map { ($0["name"]!.stringValue!, $0) })
        #expect((byName["crasher"]?["restarts"]?.intValue ?? 0) >= 1)
        #expect(byName["crasher"]?["last_error"]?.stringValue?.contains("exited with status 9") == true)
        #expect((byName["hanger"]?["restarts"]?.intValue ?? 0) >= 1)
        #expect(byName["garbage"]?["last_error"]?.stringValue?.contains("handshake failed") == true)
        print("chaos: restarts crasher \(byName["crasher"]?["restarts"] ?? .null), hanger \(byName["hanger"]?["restarts"] ?? .null), garbage \(byName["garbage"]?["restarts"] ?? .null)")
    }

    /// The issue's chaos run: 10,000 jobs of one kind, served by four plugins that share the capability and
    /// misbehave (one crashes mid-batch, one hangs, one fails every seventh job, one is slow) plus one that
    /// writes garbage instead of registering. Whatever a bad plugin held goes back and reaches a good one.
    @Test func tenThousandJobsThroughMisbehavingPluginsSharingAKind() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plugins = [
            ("crasher", "crash-after:500", "chaos.shared", directory + "/crash"),
            ("hanger", "hang-after:400", "chaos.shared", directory + "/hang"),
            ("flaky", "fail-every:7", "chaos.shared", directory + "/flaky"),
            ("slow", "slow:2", "chaos.shared", directory + "/slow"),
            ("garbage", "garbage", "chaos.shared", directory + "/garbage"),
            ("garbler", "garbage-after:400", "chaos.shared", directory + "/garbler"),
        ]
        let kawald = try KawalInstance.start(.init(config: try Self.config(plugins: plugins, extra: "plugin_crash_limit = 50")), directory: directory)
        let c = try kawald.connect()
        let total = 10_000
        for i in 0..<total { _ = try enqueue(c, kind: "chaos.shared", key: "shared-\(i)") }
        let sinks = ["/crash", "/hang", "/flaky", "/slow", "/garbler"].map { directory + $0 }
        var statusAnswered = 0
        var statusFailed = 0
        let complete = waitUntil(240) {
            if (try? kawald.kawalctl(["status", "--json"]).status) == 0 { statusAnswered += 1 } else { statusFailed += 1 }
            return Set(sinks.flatMap(Self.lines)).count >= total
        }
        let received = sinks.flatMap(Self.lines)
        #expect(complete, "\(Set(received).count) of \(total) keys arrived")
        #expect(Set(received) == Set((0..<total).map { "shared-\($0)" }), "keys missing or foreign")
        #expect(statusAnswered > 0 && statusFailed == 0, "kawalctl status failed \(statusFailed) times of \(statusAnswered + statusFailed) while plugins misbehaved")
        // A key seen twice must belong to a job that was offered more than once (a lease ended unanswered).
        let repeated = Set(Dictionary(grouping: received, by: { $0 }).filter { $0.value.count > 1 }.keys)
        if !repeated.isEmpty {
            var attempts: [String: Int64] = [:]
            var after: String?
            repeat {
                var parameters: [String: JSONValue] = ["kind": "chaos.shared", "limit": 1000]
                if let after { parameters["after"] = .string(after) }
                let page = try c.call("io.kawal.Jobs.List", parameters)
                for job in page["jobs"]!.arrayValue! {
                    attempts[job["idempotency_key"]!.stringValue!] = job["attempts"]!.intValue!
                }
                after = page["next"]?.stringValue
            } while after != nil
            for key in repeated {
                #expect((attempts[key] ?? 0) > 1, "\(key) arrived twice without a second attempt")
            }
        }
        let byName = Dictionary(uniqueKeysWithValues: try c.call("io.kawal.Jobs.Plugins")["plugins"]!.arrayValue!.map { ($0["name"]!.stringValue!, $0) })
        #expect((byName["crasher"]?["restarts"]?.intValue ?? 0) >= 1, "the crasher crashed and was restarted")
        #expect((byName["hanger"]?["restarts"]?.intValue ?? 0) >= 1, "the hung plugin was killed and restarted")
        #expect((byName["garbler"]?["restarts"]?.intValue ?? 0) >= 1, "the plugin that sent a broken frame was restarted")
        let garblerError = byName["garbler"]?["last_error"]?.stringValue ?? ""
        #expect(garblerError.contains("garbage"), "\(garblerError)")
        print("chaos 10k: \(received.count) deliveries of \(total) keys (\(repeated.count) repeated after an expired lease); per plugin "
              + zip(["crasher", "hanger", "flaky", "slow", "garbler"], sinks).map { "\($0) \(Self.lines($1).count)" }.joined(separator: ", ")
              + "; restarts crasher \(byName["crasher"]?["restarts"] ?? .null), hanger \(byName["hanger"]?["restarts"] ?? .null), garbler \(byName["garbler"]?["restarts"] ?? .null)"
              + "; kawalctl status answered \(statusAnswered) times")
    }

    @Test func failedStartsAreReportedWithTheirCauseAndStopAfterTheLimit() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kawald = try KawalInstance.start(.init(config: try Self.config(
            plugins: [("modem", "exit-at-start", "notify.sms", "/dev/null"), ("silent", "no-register", "test.silent", "/dev/null")],
            extra: "plugin_crash_limit = 2")), directory: directory)
        let c = try kawald.connect()
        func plugin(_ name: String) throws -> JSONValue? {
            try c.call("io.kawal.Jobs.Plugins")["plugins"]!.arrayValue!.first { $0["name"]?.stringValue == name }
        }
        #expect(try waitUntil(20) { try plugin("modem")?["state"] == "failed" && plugin("silent")?["state"] == "failed" })
        let modem = try plugin("modem")
        #expect(modem?["last_error"]?.stringValue?.contains("exited with status 3") == true, "\(String(describing: modem))")
        #expect(modem?["last_error"]?.stringValue?.contains("cannot open the modem") == true)
        #expect(try plugin("silent")?["last_error"]?.stringValue?.contains("did not register within 2 s") == true)
        #expect(kawald.log.contains("ALERT: plugin modem failed 2 times"))
        #expect(try c.call("io.kawal.Daemon.Status")["counts"]?["plugins_failed"] == 2)
    }

    @Test func retriesBackOffThenDeadLetters() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kawald = try KawalInstance.start(.init(config: try Self.config(plugins: [("failing", "fail-every:1", "test.fail", "/dev/null")],
                                                                          extra: "max_attempts = 3")), directory: directory)
        let c = try kawald.connect()
        let id = try enqueue(c, kind: "test.fail", key: "doomed")["id"]!
        #expect(waitUntil(20) { (try? c.call("io.kawal.Jobs.Get", ["id": id])["job"]?["state"]) == "dead" })
        let job = try c.call("io.kawal.Jobs.Get", ["id": id])["job"]!
        #expect(job["attempts"] == 3)
        #expect(job["last_error"] == "asked to fail")
        let dead = try c.call("io.kawal.Jobs.List", ["state": "dead"])["jobs"]!.arrayValue!
        #expect(dead.map { $0["id"] } == [id])
        let retried = try c.call("io.kawal.Jobs.Retry", ["id": id])["job"]!
        #expect(retried["state"] == "pending" || retried["state"] == "leased", "back in the queue (and maybe already offered)")
    }

    @Test func jobsDueWhileStoppedFireOnceOrGoStale() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sink = directory + "/sink"
        var kawald = try KawalInstance.start(.init(config: "[scheduler]\nstaleness_window = \"6s\"\n"), directory: directory)
        var c = try kawald.connect()
        _ = try enqueue(c, kind: "test.sink", key: "recent", due: "+1s")
        _ = try enqueue(c, kind: "test.sink", key: "ancient", due: "2020-01-01")
        kawald.stop()
        sleep(2)
        kawald = try KawalInstance.start(.init(config: try Self.config(plugins: [("sink", "ok", "test.sink", sink)], extra: "staleness_window = \"6s\"")),
                                         directory: directory)
        c = try kawald.connect()
        #expect(waitUntil(20) { Self.lines(sink) == ["recent"] })
        let fired = Date()
        #expect(try waitUntil(10) { try c.jobsSettled(dueBy: fired) })
        #expect(Self.lines(sink) == ["recent"], "the missed job fired once; the stale one not at all")
        let stale = try c.call("io.kawal.Jobs.List", ["state": "stale"])["jobs"]!.arrayValue!
        #expect(stale.map { $0["idempotency_key"] } == ["ancient"])
        #expect(kawald.log.contains("1 jobs were due longer ago than the staleness window"))
    }

    @Test func aPythonPluginNeedsNoKawalCode() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = SourceTree.path("plugins/examples/sink.py")
        let python = try KawalBinaries.which("python3")
        let sink = directory + "/sink"
        let config = """
            [plugins.pysink]
            exec = "\(python)"
            args = ["\(script)"]
            env = { SINK = "\(sink)", KINDS = "example.sink" }
            """
        let kawald = try KawalInstance.start(.init(config: config), directory: directory)
        let c = try kawald.connect()
        for i in 0..<20 { _ = try enqueue(c, kind: "example.sink", key: "py-\(i)") }
        #expect(waitUntil(20) { Self.lines(sink).count >= 20 })
        #expect(Set(Self.lines(sink).map { String($0.split(separator: "\t")[0]) }) == Set((0..<20).map { "py-\($0)" }))
        // "<6>registered; lease …": the priority prefix sets the level and is not logged.
        #expect(kawald.log.contains("info kawald: registered; lease"), "\(kawald.log)")
        #expect(kawald.stop() == 0)
    }

    /// A plugin's stderr reaches kawald's log at the level its `<N>` prefix names, and without what
    /// looks like an address, a phone number or a NIK; ids and dates stay readable.
    @Test func pluginOutputIsLeveledAndScrubbedOfPersonalData() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let line = "<3>job 42 of 2026-12-02: cannot reach +62 812-3456-7890 or wayan@example.org for NIK 5203012345678901"
        let config = """
            [plugins.careless]
            exec = "\(try KawalBinaries.path(of: "kawal-test-plugin"))"
            env = { MODE = "ok", CAPABILITY = "test.careless", SINK = "/dev/null", STDERR_LINE = "\(line)" }
            """
        let kawald = try KawalInstance.start(.init(config: config), directory: directory)
        #expect(waitUntil(20) { kawald.log.contains("job 42 of 2026-12-02") }, "\(kawald.log)")
        #expect(kawald.log.contains("error kawald: job 42 of 2026-12-02: cannot reach <number> or <address> for NIK <number>"), "\(kawald.log)")
        for secret in ["812", "3456-7890", "wayan", "5203012345678901", "<3>"] {
            #expect(!kawald.log.contains(secret), "\(secret) reached kawald's log")
        }
        #expect(kawald.stop() == 0)
    }

    @Test func subscribersSeeJobEvents() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kawald = try KawalInstance.start(.init(config: try Self.config(plugins: [("sink", "ok", "test.sink", directory + "/sink")])), directory: directory)
        let watcher = try kawald.connect()
        try watcher.send(VarlinkCall(method: "io.kawal.Events.Subscribe", more: true))
        usleep(200_000)
        _ = try enqueue(try kawald.connect(), kind: "test.sink", key: "watched")
        var events: [String] = []
        while !events.contains("job.settled") {
            let reply = try watcher.receive()
            events.append(reply.parameters["event"]?.stringValue ?? "")
        }
        #expect(events.contains("job.enqueued"))
    }

    /// A subscriber that stops reading is not buffered without end: kawald keeps the newest 1,000
    /// events for it and, when it reads again, says how many it lost.
    @Test func aSubscriberThatStopsReadingLosesOldEventsAndIsTold() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = try Self.config(plugins: [("sink", "ok", "test.sink", "/dev/null")])
        config = config.replacingOccurrences(of: "SINK = \"/dev/null\" }", with: "SINK = \"/dev/null\" }\nenabled = false")
        var kawald = try KawalInstance.start(.init(config: config), directory: directory)
        _ = kawald.stop()
        // More events than kawald keeps (1,000) plus what socket buffers hold (a few thousand).
        let jobs = 20_000
        let insert = try KawalBinaries.run("sqlite3", [kawald.stateDirectory + "/kawal.db", """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(jobs))
            INSERT INTO job (kind, payload, dueAt, idempotencyKey, state, attempts, createdAt, updatedAt)
            SELECT 'test.sink', '{}', strftime('%Y-%m-%d %H:%M:%f', 'now'), 'burst-' || i, 'pending', 0,
                   strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now') FROM n;
            """])
        #expect(insert.status == 0, "\(insert.stderr)")
        kawald = try KawalInstance.start(.init(config: config), directory: directory)
        let watcher = try kawald.connect()
        try watcher.send(VarlinkCall(method: "io.kawal.Events.Subscribe", more: true))
        // The subscription is in place once it sees an event: a job of a kind no plugin takes.
        let c0 = try kawald.connect()
        var marker: String?
        repeat {
            _ = try enqueue(c0, kind: "test.marker", key: "marker-\(UUID().uuidString)")
            watcher.setReceiveTimeout(seconds: 1)
            marker = try? watcher.receive().parameters["event"]?.stringValue
        } while marker == nil
        watcher.setReceiveTimeout(seconds: 0)
        #expect(try kawald.kawalctl(["plugin", "enable", "sink"]).status == 0)
        let c = try kawald.connect()
        #expect(waitUntil(60) { (try? c.call("io.kawal.Jobs.List", ["state": "pending", "kind": "test.sink", "limit": 1])["jobs"]?.arrayValue?.isEmpty) == true })
        // Only now does the subscriber read.
        var settled = 0
        var lost = 0
        while settled + lost < jobs {
            let reply = try watcher.receive()
            switch reply.parameters["event"]?.stringValue {
            case "job.settled": settled += 1
            case "events.lost": lost += Int(reply.parameters["detail"]?.stringValue ?? "") ?? 0
            default: break
            }
        }
        #expect(lost > 0, "nothing was lost: the stream was buffered without bound")
        #expect(settled >= 1_000, "the newest events were kept: \(settled)")
        print("events: \(settled) settled events read, \(lost) lost while the subscriber did not read")
        #expect(kawald.stop() == 0)
    }
}

extension SchedulerTests {
    @Test func externalPluginsConnectToThePluginSocket() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kawald = try KawalInstance.start(directory: directory)
        let socket = kawald.runtimeDirectory + "/plugins.sock"
        var info = stat()
        #expect(stat(socket, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        let sink = directory + "/sink"
        let plugin = Process()
        plugin.executableURL = URL(fileURLWithPath: try KawalBinaries.which("python3"))
        let script = SourceTree.path("plugins/examples/sink.py")
        plugin.arguments = [script]
        plugin.environment = ["KAWAL_PLUGIN_SOCKET": socket, "SINK": sink, "KINDS": "external.sink", "KAWAL_PLUGIN_NAME": "outside"]
        try plugin.run()
        // The test process blocks signals its children inherit; SIGKILL cannot be blocked.
        defer { kill(plugin.processIdentifier, SIGKILL) }
        let c = try kawald.connect()
        #expect(waitUntil(10) {
            (try? c.call("io.kawal.Jobs.Plugins")["plugins"]?.arrayValue?.contains { $0["name"] == "outside" && $0["origin"] == "external" }) == true
        })
        for i in 0..<10 { _ = try enqueue(c, kind: "external.sink", key: "ext-\(i)") }
        #expect(waitUntil(10) { Self.lines(sink).count >= 10 })
        kill(plugin.processIdentifier, SIGKILL)
        plugin.waitUntilExit()
        #expect(waitUntil(10) {
            (try? c.call("io.kawal.Jobs.Plugins")["plugins"]?.arrayValue?.first { $0["name"] == "outside" }?["state"]) == "stopped"
        })
    }
}

extension SchedulerTests {
    @Test func kawalctlShowsPluginsAndJobs() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let kawald = try KawalInstance.start(.init(config: try Self.config(plugins: [("failing", "fail-every:1", "test.fail", "/dev/null")],
                                                                          extra: "max_attempts = 1")), directory: directory)
        let c = try kawald.connect()
        let id = try enqueue(c, kind: "test.fail", key: "cli")["id"]!.intValue!
        #expect(waitUntil(10) { (try? c.call("io.kawal.Jobs.Get", ["id": .int(id)])["job"]?["state"]) == "dead" })
        let plugins = try kawald.kawalctl(["plugin", "list"])
        #expect(plugins.stdout.contains("failing") && plugins.stdout.contains("running"), "\(plugins.stdout)")
        let dead = try kawald.kawalctl(["job", "list", "--state", "dead"])
        #expect(dead.stdout.contains("test.fail") && dead.stdout.contains("asked to fail"), "\(dead.stdout)")
        #expect(try kawald.kawalctl(["job", "show", "\(id)"]).stdout.contains("Idempotency key:"))
        #expect(try kawald.kawalctl(["job", "list", "--state", "buried"]).status == 2)
        #expect(try kawald.kawalctl(["job", "retry", "\(id)"]).status == 0)
        #expect(try kawald.kawalctl(["plugin", "disable", "failing"]).stdout.contains("disabled"))
        #expect(try kawald.kawalctl(["plugin", "restart", "failing"]).status == 0)
        #expect(try kawald.kawalctl(["plugin", "status", "nothere"]).status == 1)
        let status = try kawald.kawalctl(["status"])
        #expect(status.stdout.contains("Plugins running:"), "\(status.stdout)")
    }
}

extension SchedulerTests {
    /// `plugin restart` of a plugin hung in the middle of a batch signals it at once (SIGTERM, then
    /// SIGKILL after the grace period) instead of queueing a Stop call behind a batch that never ends.
    @Test func aPluginHungMidBatchIsStoppedWithoutWaitingForItsLease() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sink = directory + "/sink"
        var config = try Self.config(plugins: [("stuck", "hang-after:1", "test.stuck", sink)])
        config = config.replacingOccurrences(of: "lease = \"2s\"", with: "lease = \"10m\"")
        let kawald = try KawalInstance.start(.init(config: config), directory: directory)
        let c = try kawald.connect()
        for i in 0..<3 { _ = try enqueue(c, kind: "test.stuck", key: "stuck-\(i)") }
        #expect(waitUntil(20) { Self.lines(sink).count >= 1 }, "the plugin took its first job")
        #expect(waitUntil(10) { (try? c.call("io.kawal.Jobs.List", ["state": "leased"])["jobs"]?.arrayValue?.count) ?? 0 >= 1 })
        let started = Date()
        let restart = try kawald.kawalctl(["plugin", "restart", "stuck"])
        let took = Date().timeIntervalSince(started)
        #expect(restart.status == 0, "\(restart.stderr)")
        #expect(took < 60, "plugin restart waited \(Int(took)) s: it waited for the 10 min lease instead of signalling the plugin")
        // Its leases ended with it: its unanswered jobs were offered again (to the restarted plugin),
        // instead of staying leased to a dead process for 10 minutes.
        #expect(waitUntil(10) {
            let jobs = (try? c.call("io.kawal.Jobs.List", [:])["jobs"]?.arrayValue) ?? []
            return jobs.contains { ($0["attempts"]?.intValue ?? 0) >= 2 }
        }, "the hung plugin's jobs were not offered again: \((try? c.call("io.kawal.Jobs.List", [:])) ?? [:]) \(kawald.log.suffix(3000))")
        _ = kawald.stop()
    }

    @Test func timersFireOnTheirCalendarAndCatchUpOnce() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sink = directory + "/sink"
        let timer = "\n[timers.tick]\non_calendar = \"*:*:0/2\"\nkind = \"test.sink\"\npayload = '{\"what\": \"tick\"}'\n"
        let withPlugin = try Self.config(plugins: [("sink", "ok", "test.sink", sink)]) + timer
        var kawald = try KawalInstance.start(.init(config: withPlugin), directory: directory)
        #expect(waitUntil(8) { Self.lines(sink).count >= 2 })
        #expect(Self.lines(sink).allSatisfy { $0.hasPrefix("timer:tick:") })
        let listed = try kawald.kawalctl(["timer", "list"])
        #expect(listed.stdout.contains("*-*-* *:*:00/2"), "\(listed.stdout)")
        // Like systemctl list-timers: how long until the next, how long since the last.
        #expect(listed.stdout.contains("LEFT") && listed.stdout.contains(" left") && listed.stdout.contains(" ago"), "\(listed.stdout)")
        kawald.stop()
        // Down for several periods: the missed occurrences fire once, not once each.
        sleep(7)
        let before = Self.lines(sink).count
        let restartedAt = Int64(Date().timeIntervalSince1970 * 1000)
        kawald = try KawalInstance.start(.init(config: withPlugin), directory: directory)
        // Once an occurrence due after the restart has fired, the catch-up is over.
        #expect(waitUntil(10) { Self.lines(sink).dropFirst(before).contains { Int64($0.split(separator: ":").last!)! >= restartedAt } })
        // Occurrences due before the restart that fired after it: the catch-up.
        let caughtUp = Self.lines(sink).dropFirst(before).filter { Int64($0.split(separator: ":").last!)! < restartedAt }
        #expect(caughtUp.count == 1, "caught up \(caughtUp)")
        #expect(try kawald.kawalctl(["timer", "list", "--json"]).stdout.contains("next_elapse"))
        let bad = try KawalInstance.start(.init(config: "[timers.bad]\non_calendar = \"Mon..Fry 08:00\"\nkind = \"x\"\n", waitUntilReady: false))
        bad.process.waitUntilExit()
        #expect(bad.process.terminationStatus == 78)
        #expect(bad.log.contains("kawald.toml:2: timers.bad.on_calendar:"), "\(bad.log)")
    }
}
