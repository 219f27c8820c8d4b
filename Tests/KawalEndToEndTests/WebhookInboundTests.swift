import Foundation
import KawalTesting
import Testing
import Varlink
#if canImport(Glibc)
import Glibc
#endif

extension NotifierTests {
    /// Handlers answer through a chat gateway: the gateway POSTs a signed message to webhook-inbound
    /// (Python's urllib as the HTTP client, signing with Python's hmac), webhook-inbound hands it to
    /// kawald, and kawald's reply goes back through notify-webhook to the gateway (the Python
    /// receiver, which checks the reply's signature).
    @Suite(.serialized) struct WebhookInboundTests {
        static let wayan = "+6281234567001"

        /// POSTs `body` to webhook-inbound, signed over `timestamp` with the secret in `secretFile`
        /// (or with another secret when `forged`): the status and the JSON answer.
        static func post(port: Int, body: String, secretFile: String, timestamp: Int64 = Int64(Date().timeIntervalSince1970), forged: Bool = false,
                         method: String = "POST", path: String = "/inbound") throws -> (status: Int, answer: JSONValue) {
            let script = """
                import hashlib, hmac, sys, urllib.error, urllib.request
                url, secret_file, timestamp, body, forged, method = sys.argv[1:7]
                secret = b"not-the-shared-secret-at-all-000" if forged == "1" else open(secret_file, "rb").read().rstrip(b"\\r\\n")
                body = body.encode()
                signature = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
                request = urllib.request.Request(url, data=body if method == "POST" else None, method=method, headers={
                    "Content-Type": "application/json", "X-Kawal-Timestamp": timestamp, "X-Kawal-Signature": "sha256=" + signature})
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, answer = response.status, response.read()
                except urllib.error.HTTPError as error:
                    status, answer = error.code, error.read()
                print(status)
                print(answer.decode())
                """
            let result = try KawalBinaries.run(NotifierTests.systemPython, ["-c", script, "http://127.0.0.1:\(port)\(path)", secretFile, String(timestamp), body,
                                                                             forged ? "1" : "0", method])
            let lines = result.stdout.split(separator: "\n", maxSplits: 1).map(String.init)
            guard result.status == 0, lines.count == 2, let status = Int(lines[0]) else {
                throw PeerFailure(description: "the HTTP client failed: \(result.stdout)\(result.stderr)")
            }
            return (status, try JSONValue(parsing: lines[1]))
        }

        static func message(_ id: String, _ text: String, from sender: String = wayan) -> String {
            JSONValue.object(["id": .string(id), "sender": .string(sender), "text": .string(text)]).jsonString
        }

        @Test func signedWebhooksAreTakenOnceAndAnsweredThroughNotifyWebhook() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let gatewayPort = try NotifierTests.freePort()
            let inboundPort = try NotifierTests.freePort()
            // One secret for each direction, as an office would configure them.
            let outgoingSecret = directory + "/webhook-secret"
            try NotifierTests.writeSecret(outgoingSecret)
            let incomingSecret = directory + "/webhook-in-secret"
            try "c41d8e0b9a7f5e3d2c1b0a9f8e7d6c5b\n".write(toFile: incomingSecret, atomically: true, encoding: .utf8)
            chmod(incomingSecret, 0o600)
            let received = directory + "/received"
            let kawald = try KawalInstance.start(.init(config: NotifierTests.schedulerSettings + """
                [reminders]
                enabled = true
                templates_dir = "\(NotifierTests.repository)/templates"
                quiet_hours = ""

                [plans.violence]
                types = ["violence"]
                on = "open"
                kind = "visit"
                first = "24h"
                every = "3d"

                [plugins.webhook]
                exec = "\(try KawalBinaries.path(of: "notify-webhook"))"
                args = ["--url", "http://127.0.0.1:\(gatewayPort)/kawal/reply", "--secret-file", "\(outgoingSecret)", "--timeout", "5"]

                """), directory: directory)
            let c = try kawald.connect()
            _ = try c.call("io.kawal.Handlers.Add", ["handler": ["code": "wayan", "name": "Wayan Sudarma", "phone": "081234567001"]])
            _ = try c.call("io.kawal.Reminders.SetSettings", ["handler": "wayan", "channels": ["webhook"], "consent_method": "written"])
            let person = try c.call("io.kawal.People.Add", ["person": ["name": "Siti Aminah", "village": "Sembalun", "sex": "female"]])["person"]!["id"]!
            let kase = try c.call("io.kawal.Cases.Open", ["case": ["person_id": person, "type": "violence", "handler": "wayan", "summary": "dipukul suami"]])["case"]!
            let visit = try #require(try c.call("io.kawal.Cases.ListFollowUps", ["case_id": kase["id"]!])["followups"]!.arrayValue!.first?["id"]?.intValue)

            let gateway = try NotifierTests.webhookReceiver(port: gatewayPort, secretFile: outgoingSecret, folder: received, statuses: [200],
                                                            log: directory + "/gateway.log")
            defer { gateway.stop() }
            let pluginLog = directory + "/webhook-inbound.log"
            let arguments = ["--listen", "127.0.0.1:\(inboundPort)", "--socket", kawald.runtimeDirectory + "/plugins.sock", "--secret-file", incomingSecret]
            var plugin = try Peer(try KawalBinaries.path(of: "webhook-inbound"), arguments, log: pluginLog, port: inboundPort)
            defer { plugin.stop() }
            let inbound = { try c.call("io.kawal.Messages.ListInbound", ["limit": 100])["messages"]!.arrayValue! }
            let replies = { NotifierTests.files(received, suffix: ".json") }

            // A good signature: the visit is recorded, and the reply reaches the gateway, signed.
            let done = Self.message("wamid.A1", "SELESAI \(visit) ibu dan anak aman di rumah keluarga")
            let sentAt = Int64(Date().timeIntervalSince1970)
            let accepted = try Self.post(port: inboundPort, body: done, secretFile: incomingSecret, timestamp: sentAt)
            #expect(accepted.status == 200 && accepted.answer["outcome"] == "done" && accepted.answer["duplicate"] == false, "\(accepted)")
            let recordID = accepted.answer["id"]
            let followUp = try c.call("io.kawal.Cases.Get", ["id": kase["id"]!])["followups"]!.arrayValue!.first { $0["id"]?.intValue == visit }
            #expect(followUp?["status"] == "done" && followUp?["outcome"] == "ibu dan anak aman di rumah keluarga", "\(followUp ?? .null)")
            #expect(waitUntil(20) { replies() == ["1.json"] }, "\(kawald.log.suffix(3000))")
            let reply = try JSONValue(parsing: try String(contentsOfFile: received + "/1.json", encoding: .utf8))
            #expect(reply["body"]?["to"]?["phone"] == .string(Self.wayan), "\(reply)")
            #expect(reply["body"]?["text"]?.stringValue?.hasPrefix("SELESAI \(visit) dicatat") == true, "\(reply)")
            #expect(reply["body"]?["purpose"] == "reply")
            #expect(reply["headers"]?["X-Kawal-Signature"]?.stringValue?.hasPrefix("sha256=") == true, "the gateway checked the reply's signature")
            let next = try c.call("io.kawal.Cases.ListFollowUps", ["case_id": kase["id"]!])["followups"]!.arrayValue!
            let nextVisit = try #require(next.first?["id"]?.intValue)

            // A bad signature and a stale timestamp: 401 naming the problem, nothing recorded.
            let missed = Self.message("wamid.A2", "GAGAL \(nextVisit) rumah kosong")
            let forged = try Self.post(port: inboundPort, body: missed, secretFile: incomingSecret, forged: true)
            #expect(forged.status == 401 && forged.answer["field"] == "X-Kawal-Signature", "\(forged)")
            #expect(forged.answer["error"]?.stringValue?.contains("does not match") == true)
            let stale = try Self.post(port: inboundPort, body: missed, secretFile: incomingSecret, timestamp: sentAt - 600)
            #expect(stale.status == 401 && stale.answer["field"] == "X-Kawal-Timestamp", "\(stale)")
            #expect(stale.answer["error"]?.stringValue?.contains("s old; at most 300 s") == true, "\(stale)")
            #expect(try inbound().count == 1)
            #expect(try c.call("io.kawal.Cases.ListFollowUps", ["case_id": kase["id"]!])["followups"]!.arrayValue!.map { $0["id"]?.intValue } == [nextVisit])

            // Only POST /inbound; a body that is not the message names the field.
            #expect(try Self.post(port: inboundPort, body: "", secretFile: incomingSecret, method: "GET").status == 405)
            #expect(try Self.post(port: inboundPort, body: done, secretFile: incomingSecret, path: "/").status == 404)
            let noText = try Self.post(port: inboundPort, body: #"{"id":"wamid.A3","sender":"+6281234567001"}"#, secretFile: incomingSecret)
            #expect(noText.status == 400 && noText.answer["field"] == "text", "\(noText)")

            // The same request again (the gateway retried, or someone replays it): answered from the
            // plugin's memory; after a restart of the plugin, from kawald's. Nothing is done twice.
            let replayed = try Self.post(port: inboundPort, body: done, secretFile: incomingSecret, timestamp: sentAt)
            #expect(replayed.status == 200 && replayed.answer["duplicate"] == true && replayed.answer["id"] == recordID, "\(replayed)")
            plugin.stop()
            plugin = try Peer(try KawalBinaries.path(of: "webhook-inbound"), arguments, log: pluginLog + ".2", port: inboundPort)
            let afterRestart = try Self.post(port: inboundPort, body: done, secretFile: incomingSecret)
            #expect(afterRestart.status == 200 && afterRestart.answer["duplicate"] == true && afterRestart.answer["id"] == recordID, "\(afterRestart)")
            #expect(try inbound().count == 1)
            #expect(try c.call("io.kawal.Cases.ListFollowUps", ["case_id": kase["id"]!])["followups"]!.arrayValue!.map { $0["id"]?.intValue } == [nextVisit])
            Thread.sleep(forTimeInterval: 1)
            #expect(replies() == ["1.json"], "one reply, once")

            // Privacy: the plugin logs ids and outcomes, never the number, a name or the text.
            let logs = ((try? String(contentsOfFile: pluginLog, encoding: .utf8)) ?? "") + ((try? String(contentsOfFile: pluginLog + ".2", encoding: .utf8)) ?? "")
            #expect(logs.contains("inbound message \(recordID?.intValue ?? 0) done"), "\(logs)")
            for forbidden in ["81234567001", "ibu dan anak", "rumah kosong", "Wayan", "Siti", "c41d8e0b"] {
                #expect(!logs.contains(forbidden), "webhook-inbound logged '\(forbidden)': \(logs)")
            }
            for forbidden in ["81234567001", "ibu dan anak", "rumah kosong", "c41d8e0b"] { #expect(!kawald.log.contains(forbidden), "kawald logged '\(forbidden)'") }

            // kawald down: 503, so that the gateway sends it again later.
            #expect(kawald.stop() == 0)
            let down = try Self.post(port: inboundPort, body: missed, secretFile: incomingSecret)
            #expect(down.status == 503 && down.answer["error"]?.stringValue?.contains("send it again later") == true, "\(down)")
        }
    }
}
