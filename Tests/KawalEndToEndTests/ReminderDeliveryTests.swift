import Foundation
import KawalTesting
import Testing
import Varlink
#if canImport(Glibc)
import Glibc
#endif

extension SchedulerTests {
    /// The whole chain a handler feels, with every real peer: a case opened under a plan, kawald's
    /// reminder engine, the notify-email plugin, msmtp, and an SMTP server (aiosmtpd) that keeps
    /// what it receives. Nested in the serialized scheduler suite, like the other timing-sensitive runs.
    @Suite(.serialized) struct ReminderDeliveryTests {
        @Test func aCaseUnderAPlanProducesExactlyOneIndonesianEmailAndRecordingCancelsTheRest() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let port = try NotifierTests.freePort()
            let mailbox = directory + "/mail"
            let smtp = try NotifierTests.smtpServer(port: port, folder: mailbox, log: directory + "/smtp.log")
            defer { smtp.stop() }
            let msmtprc = directory + "/msmtprc"
            try "account default\nhost 127.0.0.1\nport \(port)\nfrom kawal@lsm.example.org\nauth off\ntls off\n"
                .write(toFile: msmtprc, atomically: true, encoding: .utf8)
            chmod(msmtprc, 0o600)
            let root = ReminderTests.root.path
            let config = """
                [scheduler]
                lease = "10s"
                plugin_ping = "1s"
                retry_base = "1s"
                retry_cap = "2s"

                [reminders]
                enabled = true
                templates_dir = "\(root)/templates"
                quiet_hours = ""
                escalate_after = "never"

                [plans.quick]
                types = ["violence"]
                on = "open"
                kind = "visit"
                first = "2s"
                every = "1h"

                [plugins.email]
                exec = "\(try KawalBinaries.path(of: "notify-email"))"
                args = ["--sendmail", "/usr/bin/msmtp", "--sendmail-arg=-C", "--sendmail-arg=\(msmtprc)",
                        "--from", "Kawal LSM Lombok Timur <kawal@lsm.example.org>", "--time-zone", "Asia/Makassar"]
                """
            let kawald = try KawalInstance.start(.init(config: config), directory: directory)
            let c = try kawald.connect()
            _ = try c.call("io.kawal.Handlers.Add", ["handler": ["code": "wayan", "name": "Wayan Sudarma", "email": "wayan@example.org",
                                                                 "phone": "081234567890"]])
            _ = try c.call("io.kawal.Reminders.SetSettings", ["handler": "wayan", "channels": ["email"], "consent_method": "written"])
            let person = try c.call("io.kawal.People.Add", ["person": ["name": "Siti Aminah", "village": "Sembalun", "sex": "female",
                                                                       "nik": .string(ReminderTests.nik), "birth_date": "1945-08-17"]])["person"]!["id"]!
            let kase = try c.call("io.kawal.Cases.Open", ["case": ["person_id": person, "type": "violence", "handler": "wayan"]])["case"]!
            let code = kase["code"]!.stringValue!
            // A second follow-up, recorded before its reminder is due: it must never reach the mailbox.
            let extra = try c.call("io.kawal.Cases.AddFollowUp", ["case_id": kase["id"]!, "kind": "call", "due": "+8s"])["followup"]!

            #expect(waitUntil(30) { !NotifierTests.files(mailbox, suffix: ".eml").isEmpty }, "an e-mail arrived")
            _ = try c.call("io.kawal.Cases.RecordFollowUp", ["id": extra["id"]!, "version": 1, "status": "done"])
            // Nothing due by the time the extra follow-up's reminder would have gone out is left to run.
            let extraDue = Date().addingTimeInterval(8)
            #expect(try waitUntil(30) { try c.jobsSettled(dueBy: extraDue) })
            #expect(NotifierTests.files(mailbox, suffix: ".eml") == ["1.eml"], "exactly one e-mail")

            let mail = try NotifierTests.readMail(mailbox + "/1.eml")
            let headers = mail["headers"]!
            #expect(mail["defects"] == [], "\(mail)")
            #expect(headers["Subject"] == .string("Pengingat tindak lanjut \(code)"))
            #expect(headers["To"] == "Wayan <wayan@example.org>")
            #expect(headers["Content-Language"] == "id")
            let body = mail["body"]?.stringValue ?? ""
            #expect(body.hasPrefix("Halo Wayan,"), "\(body)")
            #expect(body.contains("Tindak lanjut kasus \(code) (Siti) jatuh tempo"), "\(body)")
            #expect(body.contains("kunjungan") && body.contains("WITA"), "\(body)")
            // Privacy: the message and every log line hold neither the NIK, the surname nor the kind of case.
            let raw = mail["raw"]?.stringValue ?? ""
            for forbidden in [ReminderTests.nik, "Aminah", "violence", "kekerasan"] {
                #expect(!body.contains(forbidden) && !raw.contains(forbidden), "the e-mail contains '\(forbidden)'")
                #expect(!kawald.log.contains(forbidden), "kawald's log contains '\(forbidden)'")
            }
            let listed = try c.call("io.kawal.Reminders.List", ["case_id": kase["id"]!])["reminders"]!.arrayValue!
            #expect(listed.contains { $0["state"] == "sent" && $0["channel"] == "email" }, "\(listed)")
            #expect(listed.contains { $0["state"] == "cancelled" && $0["followup_id"] == extra["id"] }, "\(listed)")

            // Restricting the person (UU PDP) cancels what was planned: nothing more goes out about them.
            let first = try #require(try c.call("io.kawal.Cases.Get", ["id": kase["id"]!])["followups"]!.arrayValue!.first { $0["kind"] == "visit" })
            _ = try c.call("io.kawal.Cases.RecordFollowUp", ["id": first["id"]!, "version": first["version"]!, "status": "done"])
            #expect(try c.call("io.kawal.Reminders.List", ["case_id": kase["id"]!, "state": "planned"])["reminders"]!.arrayValue!.count == 1)
            let restricted = try kawald.kawalctl(["person", "restrict", "\(person.intValue!)", "--reason", "permintaan tertulis 2026-12-01"])
            #expect(restricted.status == 0, "\(restricted.stderr)")
            #expect(try c.call("io.kawal.Reminders.List", ["case_id": kase["id"]!, "state": "planned"])["reminders"]!.arrayValue!.isEmpty,
                    "a restricted person's reminders are cancelled")
            let unrestricted = try kawald.kawalctl(["person", "unrestrict", "\(person.intValue!)"])
            #expect(unrestricted.status == 0, "\(unrestricted.stderr)")
            #expect(try c.call("io.kawal.Reminders.List", ["case_id": kase["id"]!, "state": "planned"])["reminders"]!.arrayValue!.count == 1,
                    "lifting the restriction plans them again")
        }
    }
}
