import Foundation
import KawalTesting
import Testing
import Varlink
#if canImport(Glibc)
import Glibc
#endif

extension SchedulerTests {
    /// Follow-up plans and reminders with the real kawald and a real delivery peer (plugins/examples/sink.py
    /// registered for notify.email and notify.sms): what reaches the handlers, when, and only once.
    /// Plans and windows are seconds long so that nothing needs a fake clock. Nested in the serialized
    /// scheduler suite: these timing-sensitive runs and the scheduler's chaos tests must not share the machine.
    @Suite(.serialized) struct ReminderTests {
        static let nik = "5203015708450001"
        static let root = SourceTree.root

        /// A message as the sink received it.
        struct Delivery {
            var key: String
            var payload: JSONValue
            var raw: String
            var purpose: String { payload["purpose"]?.stringValue ?? "" }
            var text: String { payload["text"]?.stringValue ?? "" }
            var handler: String { payload["to"]?["handler"]?.stringValue ?? "" }
        }

        static func config(_ directory: String, reminders: String = "", plans: String? = nil, scheduler: String = "") throws -> String {
            let python = try KawalBinaries.which("python3")
            let plan = plans ?? """
                [plans.quick]
                types = ["violence"]
                on = "open"
                kind = "visit"
                first = "2s"
                every = "1h"
                """
            return """
                [scheduler]
                lease = "3s"
                plugin_ping = "1s"
                retry_base = "1s"
                retry_cap = "2s"
                \(scheduler)

                [reminders]
                enabled = true
                templates_dir = "\(root.path)/templates"
                template_override_dir = "\(directory)/override"
                quiet_hours = ""
                escalate_after = "never"
                \(reminders)

                \(plan)

                [plugins.notify]
                exec = "\(python)"
                args = ["\(root.path)/plugins/examples/sink.py"]
                env = { SINK = "\(directory)/sink", KINDS = "notify.email,notify.sms" }
                """
        }

        static func deliveries(_ directory: String) -> [Delivery] {
            let text = (try? String(contentsOfFile: directory + "/sink", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
                guard parts.count == 2, let payload = try? JSONValue(parsing: parts[1]) else { return nil }
                return Delivery(key: parts[0], payload: payload, raw: parts[1])
            }
        }

        /// What the privacy rule forbids in any message or log line: the NIK and the violence category.
        static func expectPrivate(_ directory: String, _ kawald: KawalInstance, sourceLocation: SourceLocation = #_sourceLocation) {
            let sink = (try? String(contentsOfFile: directory + "/sink", encoding: .utf8)) ?? ""
            for (what, text) in [("payloads", sink), ("kawald's log", kawald.log)] {
                for forbidden in [nik, "violence", "kekerasan", "Aminah"] {
                    #expect(!text.contains(forbidden), "\(what) contain '\(forbidden)'", sourceLocation: sourceLocation)
                }
            }
        }

        func addHandler(_ c: VarlinkConnection, _ code: String, name: String, supervisor: String? = nil, channels: [String] = ["email"],
                        settings: [String: JSONValue] = [:]) throws {
            var handler: [String: JSONValue] = ["code": .string(code), "name": .string(name), "email": .string("\(code)@example.org"),
                                                "phone": "081234567890"]
            if let supervisor { handler["supervisor"] = .string(supervisor) }
            _ = try c.call("io.kawal.Handlers.Add", ["handler": .object(handler)])
            var parameters: [String: JSONValue] = ["handler": .string(code), "channels": .array(channels.map { .string($0) }), "consent_method": "written"]
            parameters.merge(settings) { _, new in new }
            _ = try c.call("io.kawal.Reminders.SetSettings", parameters)
        }

        func openCase(_ c: VarlinkConnection, person: Int64, handler: String, type: String = "violence") throws -> JSONValue {
            try c.call("io.kawal.Cases.Open", ["case": ["person_id": .int(person), "type": .string(type), "handler": .string(handler)]])["case"]!
        }

        func reminders(_ c: VarlinkConnection, _ parameters: [String: JSONValue] = [:]) throws -> [JSONValue] {
            try c.call("io.kawal.Reminders.List", parameters)["reminders"]!.arrayValue!
        }

        /// `HH:MM:SS` in the deployment's zone (WITA), `offset` seconds from now.
        static func witaClock(_ offset: Double, from base: Date = Date()) -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Asia/Makassar")!
            let parts = calendar.dateComponents([.hour, .minute, .second], from: base.addingTimeInterval(offset))
            return String(format: "%02d:%02d:%02d", parts.hour!, parts.minute!, parts.second!)
        }

        @Test func aPlannedFollowUpRemindsOnceInIndonesianAndRecordingCancelsTheRest() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let kawald = try KawalInstance.start(.init(config: try Self.config(directory)), directory: directory)
            let c = try kawald.connect()
            try addHandler(c, "wayan", name: "Wayan Sudarma")
            let kase = try openCase(c, person: try c.addPerson(nik: Self.nik), handler: "wayan")
            let code = kase["code"]!.stringValue!
            let caseID = kase["id"]!
            // A second follow-up, recorded before its reminder is due: its reminder must never go out.
            let extra = try c.call("io.kawal.Cases.AddFollowUp", ["case_id": caseID, "kind": "call", "due": "+6s"])["followup"]!
            let preview = try kawald.kawalctl(["reminder", "preview", code])
            #expect(preview.status == 0 && preview.stdout.contains("Halo Wayan"), "\(preview.stdout)\(preview.stderr)")

            #expect(waitUntil(20) { Self.deliveries(directory).count >= 1 })
            _ = try c.call("io.kawal.Cases.RecordFollowUp", ["id": extra["id"]!, "version": 1, "status": "done"])
            // Nothing due by the time the extra follow-up's reminder would have gone out is left to run.
            let extraDue = Date().addingTimeInterval(6)
            #expect(try waitUntil(20) { try c.jobsSettled(dueBy: extraDue) })
            let delivered = Self.deliveries(directory)
            #expect(delivered.count == 1, "exactly one message: \(delivered.map(\.key))")
            let message = try #require(delivered.first)
            #expect(message.key.hasPrefix("notify:r-") && message.key.hasSuffix(":email"))
            #expect(message.purpose == "reminder")
            #expect(message.payload["language"] == "id")
            #expect(message.payload["to"]?["name"] == "Wayan")
            #expect(message.payload["to"]?["email"] == "wayan@example.org")
            #expect(message.payload["subject"] == .string("Pengingat tindak lanjut \(code)"))
            #expect(message.text.hasPrefix("Halo Wayan,"), "\(message.text)")
            #expect(message.text.contains("Tindak lanjut kasus \(code) (Siti) jatuh tempo"), "\(message.text)")
            #expect(message.text.contains(": kunjungan.") && message.text.contains("WITA"), "\(message.text)")
            #expect(message.payload["case_codes"] == [.string(code)])
            let sends = try c.call("io.kawal.Audit.List", ["action": "reminder.send"])["events"]!.arrayValue!
            #expect(sends.count == 1 && sends.first?["object"] == .string("case/\(code)"), "sending is audited: \(sends)")

            let listed = try reminders(c, ["case_id": caseID])
            #expect(listed.contains { $0["state"] == "sent" && $0["channel"] == "email" }, "\(listed)")
            #expect(listed.contains { $0["state"] == "cancelled" && $0["followup_id"] == extra["id"] }, "the recorded follow-up's reminder is cancelled")
            // The plan's first follow-up, recorded: the next one (every 1h) is planned, with its reminder.
            let first = try #require(try c.call("io.kawal.Cases.Get", ["id": caseID])["followups"]!.arrayValue!.first { $0["kind"] == "visit" })
            _ = try c.call("io.kawal.Cases.RecordFollowUp", ["id": first["id"]!, "version": first["version"]!, "status": "done"])
            let next = try c.call("io.kawal.Cases.Get", ["id": caseID])["followups"]!.arrayValue!.filter { $0["status"] == "planned" }
            #expect(next.count == 1 && next.first?["attempt"] == 2, "\(next)")
            #expect(try reminders(c, ["case_id": caseID, "state": "planned"]).count == 1)
            // Closing the case cancels what is left.
            _ = try c.call("io.kawal.Cases.Transition", ["id": caseID, "version": kase["version"]!, "to": "withdrawn"])
            #expect(try reminders(c, ["case_id": caseID, "state": "planned"]).isEmpty)
            let table = try kawald.kawalctl(["reminder", "list", "--handler", "wayan"])
            #expect(table.stdout.contains("sent") && table.stdout.contains("cancelled"), "\(table.stdout)")
            #expect(try kawald.kawalctl(["followup", "plan", "show", "violence"]).stdout.contains("quick"))
            Self.expectPrivate(directory, kawald)
        }

        @Test func aDigestHandlerGetsOneMessageListingEverythingDue() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let kawald = try KawalInstance.start(.init(config: try Self.config(directory)), directory: directory)
            let c = try kawald.connect()
            try addHandler(c, "ani", name: "Ani Lestari", settings: ["delivery": "digest", "digest_at": .string(Self.witaClock(8))])
            let person = try c.addPerson(nik: Self.nik)
            let codes = try (0..<3).map { _ in try openCase(c, person: person, handler: "ani")["code"]!.stringValue! }
            #expect(waitUntil(25) { !Self.deliveries(directory).isEmpty })
            let digestSent = Date()
            #expect(try waitUntil(10) { try c.jobsSettled(dueBy: digestSent) })
            let delivered = Self.deliveries(directory)
            #expect(delivered.count == 1, "\(delivered.map(\.key))")
            let digest = try #require(delivered.first)
            #expect(digest.purpose == "digest")
            #expect(digest.key.hasPrefix("notify:d-"))
            #expect(digest.payload["subject"] == "Ringkasan tindak lanjut: 3 kasus")
            for code in codes { #expect(digest.text.contains("- \(code) (Siti): kunjungan"), "\(digest.text)") }
            #expect(Set(digest.payload["case_codes"]?.arrayValue ?? []) == Set(codes.map { JSONValue.string($0) }))
            Self.expectPrivate(directory, kawald)
        }

        @Test func quietHoursHoldAnSMSUntilTheWindowOpens() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let kawald = try KawalInstance.start(.init(config: try Self.config(directory)), directory: directory)
            let c = try kawald.connect()
            // Quiet hours end on a whole second, 8 to 9 s from now.
            let opensAt = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 9).rounded(.down))
            try addHandler(c, "made", name: "Made Ayu", channels: ["sms"],
                           settings: ["quiet_hours": .string("\(Self.witaClock(-3600))-\(Self.witaClock(0, from: opensAt))")])
            let code = try openCase(c, person: try c.addPerson(nik: Self.nik), handler: "made")["code"]!.stringValue!
            #expect(try waitUntil(10) { try reminders(c).contains { $0["state"] == "held" } }, "the SMS is held")
            #expect(Self.deliveries(directory).isEmpty, "nothing is sent inside quiet hours")
            #expect(waitUntil(20) { !Self.deliveries(directory).isEmpty })
            #expect(Date() >= opensAt, "delivered when the window opened, not before")
            let sms = try #require(Self.deliveries(directory).first)
            #expect(sms.key.hasSuffix(":sms"))
            #expect(sms.payload["to"]?["phone"] == "+6281234567890")
            #expect(sms.text.hasPrefix("Kawal: kunjungan \(code) (Siti)"), "\(sms.text)")
            #expect(sms.text.count <= 160, "an SMS stays short")
            // The sink has the message a moment before kawald hears that the job is done.
            #expect(try waitUntil(10) { try reminders(c).first?["state"] == "sent" })
            Self.expectPrivate(directory, kawald)
        }

        @Test func overdueFollowUpsEscalateToTheSupervisorElseTheAdmins() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let config = try Self.config(directory, reminders: "") .replacingOccurrences(of: "escalate_after = \"never\"", with: "escalate_after = \"3s\"")
                + "\n[alerts]\nemail = [\"kantor@example.org\"]\n"
            let kawald = try KawalInstance.start(.init(config: config), directory: directory)
            let c = try kawald.connect()
            try addHandler(c, "budi", name: "Budi Santoso")
            try addHandler(c, "ani", name: "Ani Lestari", supervisor: "budi")
            let person = try c.addPerson(nik: Self.nik)
            let supervised = try openCase(c, person: person, handler: "ani")["code"]!.stringValue!
            let unsupervised = try openCase(c, person: person, handler: "budi")["code"]!.stringValue!
            #expect(waitUntil(25) { Self.deliveries(directory).filter { $0.purpose == "escalation" }.count >= 2 })
            let escalations = Self.deliveries(directory).filter { $0.purpose == "escalation" }
            let toBudi = try #require(escalations.first { $0.payload["case_codes"] == [.string(supervised)] })
            #expect(toBudi.payload["to"]?["name"] == "Budi" && toBudi.payload["to"]?["email"] == "budi@example.org")
            #expect(toBudi.text.contains("ditangani Ani"), "\(toBudi.text)")
            let toAdmins = try #require(escalations.first { $0.payload["case_codes"] == [.string(unsupervised)] })
            #expect(toAdmins.handler == "admin" && toAdmins.payload["to"]?["email"] == "kantor@example.org")
            #expect(Self.deliveries(directory).filter { $0.purpose == "reminder" }.count == 2, "each handler got their own reminder first")
            Self.expectPrivate(directory, kawald)
        }

        @Test func remindersMissedWhileStoppedComeAsOneOverdueDigest() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let config = try Self.config(directory, reminders: "staleness_window = \"2s\"").replacingOccurrences(of: "first = \"2s\"", with: "first = \"3s\"")
            var kawald = try KawalInstance.start(.init(config: config), directory: directory)
            var c = try kawald.connect()
            try addHandler(c, "ani", name: "Ani Lestari")
            let person = try c.addPerson(nik: Self.nik)
            let codes = try (0..<5).map { _ in try openCase(c, person: person, handler: "ani")["code"]!.stringValue! }
            #expect(kawald.stop() == 0)
            #expect(Self.deliveries(directory).isEmpty, "stopped before anything was due")
            sleep(7)
            kawald = try KawalInstance.start(.init(config: config), directory: directory)
            c = try kawald.connect()
            #expect(waitUntil(15) { !Self.deliveries(directory).isEmpty })
            let lateSent = Date()
            #expect(try waitUntil(10) { try c.jobsSettled(dueBy: lateSent) })
            let delivered = Self.deliveries(directory)
            #expect(delivered.count == 1, "one digest, not a flood: \(delivered.map(\.key))")
            let late = try #require(delivered.first)
            #expect(late.key.hasPrefix("notify:t-"))
            #expect(late.payload["subject"] == "Terlambat: 5 tindak lanjut belum dikirim")
            for code in codes { #expect(late.text.contains(code)) }
            #expect(kawald.log.contains("5 reminders fell due while kawald was stopped"))
            #expect(try reminders(c).allSatisfy { $0["state"] == "sent" })
            Self.expectPrivate(directory, kawald)
        }

        @Test func aDeadNotifyJobAlertsTheAdmins() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let plugin = try KawalBinaries.path(of: "kawal-test-plugin")
            // notify.sms always fails; alerts go by e-mail to the sink.
            let config = try Self.config(directory, scheduler: "max_attempts = 2") + """

                [alerts]
                email = ["kantor@example.org"]

                [plugins.modem]
                exec = "\(plugin)"
                env = { MODE = "fail-every:1", CAPABILITY = "notify.sms", SINK = "/dev/null" }
                """
            let kawald = try KawalInstance.start(.init(config: config.replacingOccurrences(of: "KINDS = \"notify.email,notify.sms\"", with: "KINDS = \"notify.email\"")),
                                                 directory: directory)
            let c = try kawald.connect()
            try addHandler(c, "made", name: "Made Ayu", channels: ["sms"])
            _ = try openCase(c, person: try c.addPerson(nik: Self.nik), handler: "made")
            #expect(waitUntil(30) { Self.deliveries(directory).contains { $0.purpose == "alert" } })
            let alert = try #require(Self.deliveries(directory).first { $0.purpose == "alert" })
            #expect(alert.payload["subject"] == "Peringatan Kawal: pesan tidak terkirim")
            #expect(alert.text.contains("channel: notify.sms"), "\(alert.text)")
            #expect(try reminders(c).first?["state"] == "failed")
            #expect(kawald.log.contains("ALERT: delivery_failed"))
            Self.expectPrivate(directory, kawald)
        }

        @Test func aBackupThatFailsForGoodAlertsTheAdmins() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let plugin = try KawalBinaries.path(of: "kawal-test-plugin")
            let config = try Self.config(directory, scheduler: "max_attempts = 1") + """

                [alerts]
                email = ["kantor@example.org"]

                [plugins.backup]
                exec = "\(plugin)"
                env = { MODE = "fail-every:1", CAPABILITY = "backup", SINK = "/dev/null" }
                """
            let kawald = try KawalInstance.start(.init(config: config), directory: directory)
            _ = try kawald.connect().call("io.kawal.Jobs.Enqueue", ["kind": "backup", "payload": "{}", "idempotency_key": "backup-now"])
            #expect(waitUntil(20) { Self.deliveries(directory).contains { $0.purpose == "alert" } })
            let alert = try #require(Self.deliveries(directory).first { $0.purpose == "alert" })
            #expect(alert.payload["subject"] == "Peringatan Kawal: pencadangan gagal")
            #expect(alert.text.contains("error: asked to fail"), "\(alert.text)")
        }

        @Test func aPluginThatFailsForGoodAlertsTheAdmins() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let plugin = try KawalBinaries.path(of: "kawal-test-plugin")
            let config = try Self.config(directory, scheduler: "plugin_crash_limit = 2") + """

                [alerts]
                email = ["kantor@example.org"]

                [plugins.modem]
                exec = "\(plugin)"
                env = { MODE = "exit-at-start", CAPABILITY = "notify.sms", SINK = "/dev/null" }
                """
            let kawald = try KawalInstance.start(.init(config: config.replacingOccurrences(of: "KINDS = \"notify.email,notify.sms\"", with: "KINDS = \"notify.email\"")),
                                                 directory: directory)
            #expect(waitUntil(30) { Self.deliveries(directory).contains { $0.purpose == "alert" } })
            let alert = try #require(Self.deliveries(directory).first { $0.purpose == "alert" })
            #expect(alert.payload["subject"] == "Peringatan Kawal: plugin gagal")
            #expect(alert.text.contains("plugin: modem") && alert.text.contains("kawalctl plugin list"), "\(alert.text)")
            #expect(alert.payload["to"]?["email"] == "kantor@example.org")
            #expect(kawald.log.contains("ALERT: plugin_failed"))
            Self.expectPrivate(directory, kawald)
        }

        @Test func handlerSettingsNeedConsentAndTestMessagesGoOut() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let kawald = try KawalInstance.start(.init(config: try Self.config(directory)), directory: directory)
            let c = try kawald.connect()
            _ = try c.call("io.kawal.Handlers.Add", ["handler": ["code": "ani", "name": "Ani Lestari", "email": "ani@example.org", "language": "en"]])
            let refused = try kawald.kawalctl(["handler", "notify", "ani", "--channel", "email"])
            #expect(refused.status == 1 && refused.stderr.contains("has not agreed to reminders by email yet"), "\(refused.stderr)")
            let noPhone = try kawald.kawalctl(["handler", "notify", "ani", "--channel", "sms", "--consent", "verbal"])
            #expect(noPhone.stderr.contains("has no phone number"), "\(noPhone.stderr)")
            let set = try kawald.kawalctl(["handler", "notify", "ani", "--channel", "email", "--consent", "written", "--digest", "--digest-at", "07:30",
                                           "--quiet-hours", "22:00-06:00"])
            #expect(set.status == 0 && set.stdout.contains("email (consent written"), "\(set.stdout)\(set.stderr)")
            #expect(set.stdout.contains("digest at 07:30") && set.stdout.contains("22:00-06:00"), "\(set.stdout)")
            let test = try kawald.kawalctl(["handler", "notify-test", "ani", "--channel", "email"])
            #expect(test.status == 0, "\(test.stderr)")
            #expect(waitUntil(10) { !Self.deliveries(directory).isEmpty })
            let message = try #require(Self.deliveries(directory).first)
            #expect(message.purpose == "test" && message.payload["language"] == "en")
            #expect(message.text.hasPrefix("Hello Ani,"), "\(message.text)")
            #expect(try kawald.kawalctl(["handler", "notify-test", "ani", "--channel", "sms"]).stderr.contains("has no phone number"))
            #expect(try kawald.kawalctl(["handler", "notify-test", "ani", "--channel", "fax"]).status == 2)
            Self.expectPrivate(directory, kawald)
        }

        @Test func reassigningACaseMovesItsPlannedReminders() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let config = try Self.config(directory).replacingOccurrences(of: "first = \"2s\"", with: "first = \"1d\"")
            let kawald = try KawalInstance.start(.init(config: config), directory: directory)
            let c = try kawald.connect()
            try addHandler(c, "ani", name: "Ani Lestari")
            try addHandler(c, "budi", name: "Budi Santoso")
            let kase = try openCase(c, person: try c.addPerson(nik: Self.nik), handler: "ani")
            #expect(try reminders(c, ["state": "planned"]).map { $0["recipient"] } == ["ani"])
            _ = try c.call("io.kawal.Cases.Assign", ["id": kase["id"]!, "version": kase["version"]!, "handler": "budi"])
            #expect(try reminders(c, ["state": "planned"]).map { $0["recipient"] } == ["budi"], "the new handler's reminder is planned in the same change")
            #expect(try reminders(c, ["state": "cancelled"]).map { $0["recipient"] } == ["ani"])
            _ = try c.call("io.kawal.Handlers.Deactivate", ["code": "budi", "version": 1, "reassign_to": "ani"])
            #expect(try reminders(c, ["state": "planned"]).map { $0["recipient"] } == ["ani"], "deactivating a handler moves their reminders with their cases")
            let all = try reminders(c)
            #expect(all.count == 2, "the first reminder to ani was planned again, not duplicated: \(all)")
            Self.expectPrivate(directory, kawald)
        }

        @Test func sendNowSendsAPlannedReminderAtOnce() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let config = try Self.config(directory).replacingOccurrences(of: "first = \"2s\"", with: "first = \"1d\"")
            let kawald = try KawalInstance.start(.init(config: config), directory: directory)
            let c = try kawald.connect()
            try addHandler(c, "ani", name: "Ani Lestari")
            _ = try openCase(c, person: try c.addPerson(nik: Self.nik), handler: "ani")
            let planned = try #require(try reminders(c, ["state": "planned"]).first)
            #expect(try kawald.kawalctl(["reminder", "send-now", text(planned["id"])]).status == 0)
            #expect(waitUntil(10) { Self.deliveries(directory).count == 1 })
            #expect(try kawald.kawalctl(["reminder", "send-now", text(planned["id"])]).stderr.contains("only planned reminders"))
            Self.expectPrivate(directory, kawald)
        }

        func text(_ value: JSONValue?) -> String {
            if let int = value?.intValue { return String(int) }
            return value?.stringValue ?? ""
        }
    }
}
