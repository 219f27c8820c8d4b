import Foundation
import KawalTesting
import Testing
import Varlink

/// `kawalctl doctor` against a real kawald: a handler reached by e-mail with no e-mail plugin is a
/// failure (exit 1); with a plugin offering notify.email running, that check is ok.
@Suite(.serialized) struct DoctorEndToEndTests {
    static func addHandlerReachedByEmail(_ kawald: KawalInstance) throws {
        let c = try kawald.connect()
        _ = try c.call("io.kawal.Handlers.Add", ["handler": ["code": "wayan", "name": "Wayan Sudarma", "email": "wayan@example.org"]])
        _ = try c.call("io.kawal.Reminders.SetSettings", ["handler": "wayan", "channels": ["email"], "consent_method": "written"])
    }

    static func checks(_ result: CommandResult) throws -> [String: [String: JSONValue]] {
        let list = try #require(try JSONValue(parsing: result.stdout).arrayValue, "\(result.stdout)\n\(result.stderr)")
        var byID: [String: [String: JSONValue]] = [:]
        for check in list {
            let object = try #require(check.objectValue)
            byID[object["id"]?.stringValue ?? ""] = object
        }
        return byID
    }

    @Test func anEmailChannelWithoutAnEmailPluginFails() throws {
        let kawald = try KawalInstance.start()
        try Self.addHandlerReachedByEmail(kawald)

        let text = try kawald.kawalctl(["doctor"])
        #expect(text.status == 1, "\(text.stdout)\n\(text.stderr)")
        let line = try #require(text.stdout.split(separator: "\n").first { $0.contains("capability.notify.email") }, "\(text.stdout)")
        #expect(line.hasPrefix("fail"), "\(line)")
        #expect(line.contains("handler wayan") && line.contains("→ add [plugins.email]"), "\(line)")
        #expect(text.stdout.split(separator: "\n").contains { $0.hasPrefix("warn") && $0.contains("alerts") }, "nobody in [alerts]")
        #expect(text.stdout.split(separator: "\n").contains { $0.hasPrefix("fail") && $0.contains("backup.configured") })
        #expect(text.stderr.contains("doctor:") && text.stderr.contains("failed"), "\(text.stderr)")

        let json = try kawald.kawalctl(["doctor", "--json"])
        #expect(json.status == 1)
        let checks = try Self.checks(json)
        let email = try #require(checks["capability.notify.email"])
        #expect(email["status"] == "fail")
        #expect(email["hint"]?.stringValue?.contains("[plugins.email]") == true)
        #expect(checks["handlers.channels"]?["status"] == "ok")
        #expect(checks["files.state_dir"]?["status"] == "ok", "kawald made its state folder 0700: \(checks["files.state_dir"] ?? [:])")
        #expect(checks["time_zone"]?["status"] == "ok")
        #expect(checks["kawalctl.version"]?["status"] == "ok")
        #expect(checks["jobs"]?["status"] == "ok")
    }

    @Test func aRunningEmailPluginMakesTheChannelCheckOk() throws {
        let config = """
            [alerts]
            handlers = ["wayan"]

            [plugins.email]
            exec = "\(try KawalBinaries.path(of: "kawal-test-plugin"))"
            env = { MODE = "ok", CAPABILITY = "notify.email", SINK = "/dev/null" }
            """
        let kawald = try KawalInstance.start(.init(config: config))
        try Self.addHandlerReachedByEmail(kawald)
        let c = try kawald.connect()
        #expect(try waitUntil(20) {
            try c.call("io.kawal.Jobs.Plugins")["plugins"]?.arrayValue?.first?["state"] == "running"
        }, "the plugin registers")

        let checks = try Self.checks(try kawald.kawalctl(["doctor", "--json"]))
        #expect(checks["capability.notify.email"]?["status"] == "ok", "\(checks["capability.notify.email"] ?? [:])")
        #expect(checks["plugin.email"]?["status"] == "ok")
        #expect(checks["alerts"]?["status"] == "ok", "\(checks["alerts"] ?? [:])")

        let text = try kawald.kawalctl(["doctor"])
        let line = try #require(text.stdout.split(separator: "\n").first { $0.contains("capability.notify.email") })
        #expect(line.hasPrefix("ok"), "\(line)")
    }

    @Test func anUnreachableKawaldIsExitStatus3() throws {
        let result = try KawalBinaries.run("kawalctl", ["doctor", "--socket", "/nonexistent/control.sock"])
        #expect(result.status == 3, "\(result.stderr)")
    }
}
