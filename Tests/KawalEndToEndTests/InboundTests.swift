import Foundation
import KawalTesting
import Testing
import Varlink
#if canImport(Glibc)
import Glibc
#endif

extension NotifierTests {
    /// Handlers answer from their phones, through the real gammu-smsd: an SMS put in its dummy
    /// phone's inbox is received by gammu-smsd, which runs sms-inbound (RunOnReceive), which hands
    /// it to kawald; kawald records it and queues the reply, notify-sms writes the reply into
    /// gammu's outbox, and gammu-smsd sends it (to the dummy phone; a copy lands in its sent folder).
    @Suite(.serialized) struct InboundTests {
        static let nik = "5203015708450001"
        static let wayan = "+6281234567001"
        static let ani = "+6281234567002"
        static let stranger = "+6289999999999"

        /// gammu-smsd's files backend on the dummy phone, running sms-inbound on receipt.
        static func gammu(_ directory: String, socket: String) throws -> String {
            try gammuConfig(directory, extra: """
                inboxformat = unicode
                receivefrequency = 1
                statusfrequency = 0
                runonreceive = \(try KawalBinaries.path(of: "sms-inbound")) --socket \(socket) --timeout 20
                """).config
        }

        /// An SMS arriving at the dummy phone: one file per part, in gammu's SMS backup format.
        static func arrive(_ directory: String, from number: String, _ text: String, location: inout Int, parts: Int = 1) throws {
            let hex = { (s: String) in s.utf16.map { String(format: "%04X", $0) }.joined() }
            let chunk = (text.count + parts - 1) / parts
            let pieces = stride(from: 0, to: text.count, by: chunk).map { String(Array(text)[$0..<min($0 + chunk, text.count)]) }
            let reference = 0x40 + location % 64
            for (index, piece) in pieces.enumerated() {
                location += 1
                var body = """
                    [SMSBackup000]
                    PDU = Deliver
                    DateTime = 20261208T010000Z
                    State = UnRead
                    Number = "\(number)"
                    NumberUnicode = \(hex(number))
                    Text00 = \(hex(piece))
                    Coding = Default_No_Compression
                    Folder = 1
                    Length = \(piece.count)
                    Class = -1

                    """
                if pieces.count > 1 { body += "UDH = 050003\(String(format: "%02X%02X%02X", reference, pieces.count, index + 1))\n" }
                try body.write(toFile: "\(directory)/gammu/phone/sms/1/\(location)", atomically: true, encoding: .utf8)
            }
        }

        /// The replies gammu-smsd sent to `number`, oldest first (their text).
        static func sent(_ directory: String, to number: String) -> [String] {
            files(directory + "/gammu/sent", suffix: ".txt").filter { $0.contains("_\(number)_") }.compactMap { outboxText(directory + "/gammu/sent/" + $0) }
        }

        static func inbound(_ c: VarlinkConnection) throws -> [JSONValue] {
            try c.call("io.kawal.Messages.ListInbound", ["limit": 100])["messages"]!.arrayValue!
        }

        static func followUp(_ c: VarlinkConnection, case caseID: JSONValue, _ id: Int64) throws -> JSONValue? {
            try c.call("io.kawal.Cases.ListFollowUps", ["case_id": caseID, "limit": 100])["followups"]!.arrayValue!.first { $0["id"]?.intValue == id }
                ?? c.call("io.kawal.Cases.Get", ["id": caseID])["followups"]!.arrayValue!.first { $0["id"]?.intValue == id }
        }

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/gammu-smsd"), "needs gammu-smsd (APT_PACKAGES)"))
        func handlersAnswerBySMSThroughGammu() throws {
            let directory = try KawalInstance.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
            let socket = directory + "/run/plugins.sock"
            let config = try Self.gammu(directory, socket: socket)
            // Ani's office asks her for a PIN.
            try "# handler = PIN\nani = 4321\n".write(toFile: directory + "/pins", atomically: true, encoding: .utf8)
            chmod(directory + "/pins", 0o600)
            let kawald = try KawalInstance.start(.init(config: schedulerSettings + """
                [reminders]
                enabled = true
                templates_dir = "\(root)/templates"
                template_override_dir = "\(directory)/override"
                quiet_hours = ""
                escalate_after = "3d"

                [plans.violence]
                types = ["violence"]
                on = "open"
                kind = "visit"
                first = "24h"
                every = "3d"

                [inbound]
                pin_file = "\(directory)/pins"

                [plugins.sms]
                exec = "\(try KawalBinaries.path(of: "notify-sms"))"
                args = ["--outbox", "\(directory)/gammu/outbox", "--max-parts", "3"]

                """), directory: directory)
            let c = try kawald.connect()
            // Ani supervises Wayan: his escalations reach her, and she may act on his cases.
            for (code, name, phone, supervisor) in [("ani", "Ani Lestari", "6281234567002", JSONValue.null), ("wayan", "Wayan Sudarma", "081234567001", "ani")] {
                _ = try c.call("io.kawal.Handlers.Add", ["handler": ["code": .string(code), "name": .string(name), "phone": .string(phone), "supervisor": supervisor]])
                _ = try c.call("io.kawal.Reminders.SetSettings", ["handler": .string(code), "channels": ["sms"], "consent_method": "written"])
            }
            let person = try c.call("io.kawal.People.Add", ["person": ["name": "Siti Aminah", "village": "Sembalun", "sex": "female", "nik": .string(Self.nik)]])["person"]!["id"]!
            let kase = try c.call("io.kawal.Cases.Open", ["case": ["person_id": person, "type": "violence", "handler": "wayan", "summary": "dipukul suami"]])["case"]!
            let caseID = kase["id"]!
            let code = kase["code"]!.stringValue!
            let visits = try c.call("io.kawal.Cases.ListFollowUps", ["case_id": caseID])["followups"]!.arrayValue!
            try #require(visits.count == 1, "the violence plan's 24-hour visit")
            let visit = visits[0]["id"]!.intValue!
            // Ani's case: Wayan must not reach it, nor learn that it exists.
            let other = try c.call("io.kawal.People.Add", ["person": ["name": "Rina Wati", "village": "Selong", "sex": "female"]])["person"]!["id"]!
            let aniCase = try c.call("io.kawal.Cases.Open", ["case": ["person_id": other, "type": "document", "handler": "ani"]])["case"]!
            let aniVisit = try c.call("io.kawal.Cases.AddFollowUp", ["case_id": aniCase["id"]!, "kind": "call", "due": "+2d"])["followup"]!["id"]!.intValue!
            let referral = try c.call("io.kawal.Cases.AddReferral", ["case_id": caseID, "service": "dukcapil", "consent": "override", "override_reason": "the test needs a referral"])["referral"]!["id"]!.intValue!

            let smsdLog = directory + "/gammu/smsd.log"
            let smsd = try Peer("/usr/bin/gammu-smsd", ["-c", config], log: directory + "/gammu/smsd.out") { FileManager.default.fileExists(atPath: smsdLog) }
            defer {
                smsd.stop()
                let log = (try? String(contentsOfFile: smsdLog, encoding: .utf8)) ?? ""
                if let line = log.split(separator: "\n").first(where: { $0.contains("SHM token: ") }),
                   let token = line.split(separator: " ").last(where: { $0.hasPrefix("0x") }) {
                    _ = try? KawalBinaries.run("ipcrm", ["-M", String(token)])
                }
            }
            let gammuLog = { (try? String(contentsOfFile: smsdLog, encoding: .utf8)) ?? "" }

            // The reminder of the 24-hour visit, sent now: it carries the number and the reply to send.
            let reminder = try c.call("io.kawal.Reminders.List", ["case_id": caseID])["reminders"]!.arrayValue!.first { $0["rule"] == "due" }!
            _ = try c.call("io.kawal.Reminders.SendNow", ["id": reminder["id"]!])
            #expect(waitUntil(30) { !Self.sent(directory, to: Self.wayan).isEmpty }, "\(gammuLog())")
            let reminderText = Self.sent(directory, to: Self.wayan).first ?? ""
            #expect(reminderText.contains("Balas: SELESAI \(visit) <catatan>") && reminderText.contains(code), "\(reminderText) \(NotifierTests.files(directory + "/gammu/sent", suffix: ".txt"))")
            // From now on Wayan's quiet hours last all day: replies still go at once (he has just written).
            _ = try c.call("io.kawal.Reminders.SetSettings", ["handler": "wayan", "quiet_hours": "00:00-23:59"])

            var location = 0
            var replies = 1
            /// Sends `text` from `number` and waits for the reply to it.
            func exchange(_ text: String, from number: String = Self.wayan, parts: Int = 1) throws -> String {
                let names = { Set(NotifierTests.files(directory + "/gammu/sent", suffix: ".txt").filter { $0.contains("_\(number)_") }) }
                let before = names()
                try Self.arrive(directory, from: number, text, location: &location, parts: parts)
                guard waitUntil(40, { names().count > before.count }) else {
                    Issue.record("no reply to '\(text)': \(gammuLog())\n\(kawald.log)")
                    return ""
                }
                if number == Self.wayan { replies += 1 }
                // A reply in two parts is two files: wait until no more arrive.
                var seen = names()
                while waitUntil(1, { names().count > seen.count }) { seen = names() }
                // The reply's parts, in order (one file per part).
                return names().subtracting(before).sorted().compactMap { NotifierTests.outboxText(directory + "/gammu/sent/" + $0) }.joined()
            }

            // SELESAI: the visit is done, contact made, the note its outcome; the plan's next visit is at +3 days.
            let done = try exchange("selesai #\(visit), ibu dan anak aman di rumah keluarga")
            #expect(done.hasPrefix("SELESAI \(visit) dicatat: kunjungan \(code) (Siti).") && done.contains("Berikutnya"), "\(done)")
            let recorded = try #require(try Self.followUp(c, case: caseID, visit))
            #expect(recorded["status"] == "done" && recorded["outcome"] == "ibu dan anak aman di rumah keluarga" && recorded["contact_made"] == true)
            let next = try c.call("io.kawal.Cases.ListFollowUps", ["case_id": caseID])["followups"]!.arrayValue!
            #expect(next.count == 1, "one next visit: \(next)")
            let nextVisit = next.first?["id"]?.intValue ?? 0
            // No escalation of the recorded visit is left to fire.
            let planned = try c.call("io.kawal.Reminders.List", ["case_id": caseID, "state": "planned"])["reminders"]!.arrayValue!
            #expect(planned.allSatisfy { $0["followup_id"]?.intValue == nextVisit }, "\(planned)")

            // GAGAL, in two parts: missed, and a new attempt today.
            let missed = try exchange("GAGAL \(nextVisit) rumah kosong, keluarga sedang ke pasar di kota dan belum kembali sampai sore hari ini", parts: 2)
            #expect(missed.hasPrefix("GAGAL \(nextVisit) dicatat"), "\(missed)")
            #expect(try Self.followUp(c, case: caseID, nextVisit)?["outcome"] == "rumah kosong, keluarga sedang ke pasar di kota dan belum kembali sampai sore hari ini")
            let retry = try c.call("io.kawal.Cases.ListFollowUps", ["case_id": caseID])["followups"]!.arrayValue!.first?["id"]?.intValue ?? 0
            #expect(retry > nextVisit)

            // TUNDA: moved to tomorrow; a time already past is refused with an example.
            let moved = try exchange("TUNDA \(retry) besok")
            #expect(moved.hasPrefix("TUNDA \(retry): kunjungan \(code) (Siti) pindah ke"), "\(moved)")
            let past = try exchange("TUNDA \(retry) 01/01/2020")
            #expect(past == "TUNDA \(retry) 01/01/2020: tanggal sudah lewat. Contoh: TUNDA \(retry) besok", "\(past)")

            // KASUS: the open follow-ups.
            let cases = try exchange("kasus")
            #expect(cases.hasPrefix("Tindak lanjut Anda (1):") && cases.contains("\(retry) kunjungan \(code) (Siti)"), "\(cases)")

            // RUJUK: the referral accepted, with the service's reference.
            let referred = try exchange("RUJUK \(referral) DITERIMA 474/2026")
            #expect(referred == "RUJUK \(referral) dicatat: diterima (\(code)).", "\(referred)")
            let referralNow = try c.call("io.kawal.Cases.ListReferrals", ["case_id": caseID])["referrals"]!.arrayValue!.first!
            #expect(referralNow["status"] == "accepted" && referralNow["external_ref"] == "474/2026")

            // Another handler's follow-up: refused without saying it exists.
            let foreign = try exchange("SELESAI \(aniVisit)")
            #expect(foreign == "SELESAI \(aniVisit): nomor tidak ditemukan di kasus Anda. Balas KASUS untuk daftar.", "\(foreign)")
            #expect(try Self.followUp(c, case: aniCase["id"]!, aniVisit)?["status"] == "planned")

            // A typo is never acted on; BANTUAN lists the commands; BARU is a complaint the admins hear of.
            let typo = try exchange("SELSAI \(retry) sudah")
            #expect(typo.contains("Maksud Anda SELESAI?"), "\(typo)")
            #expect(try Self.followUp(c, case: caseID, retry)?["status"] == "planned")
            #expect(try exchange("BANTUAN").hasPrefix("Perintah Kawal: SELESAI <no> <catatan>"))
            // BARU: a new case, handled by the sender, about a person the administrators complete; the
            // violence plan's 24-hour visit is planned at once, and the administrators are alerted.
            let complaint = try exchange("BARU Lendang Nangka kekerasan ibu dipukul suami semalam")
            let opened = try c.call("io.kawal.Cases.List", ["handler": "wayan", "status": "new"])["cases"]!.arrayValue!
            let newCase = try #require(opened.first { $0["code"] != .string(code) }, "\(opened)")
            #expect(complaint.hasPrefix("Aduan diterima: kasus \(newCase["code"]!.stringValue!) (A-"), "\(complaint)")
            #expect(newCase["type"] == "violence")
            let complaintCase = try c.call("io.kawal.Cases.Get", ["id": newCase["id"]!])
            #expect(complaintCase["case"]?["village"] == "Lendang Nangka" && complaintCase["case"]?["summary"] == "ibu dipukul suami semalam")
            #expect(complaintCase["followups"]?.arrayValue?.count == 1, "the 24-hour visit")
            #expect(complaintCase["case"]?["person_name"]?.stringValue?.hasPrefix("(belum diisi)") == true)

            // Ani must give her PIN; with it, as Wayan's supervisor, she sees and records his follow-ups too.
            let noPIN = try exchange("KASUS", from: Self.ani)
            #expect(noPIN == "KASUS perlu PIN Anda. Contoh: KASUS <PIN>", "without her PIN: \(noPIN)")
            #expect(try exchange("SELESAI \(retry) 1111 sudah", from: Self.ani) == "PIN salah. Tidak ada yang dicatat.")
            let supervised = try exchange("KASUS 4321", from: Self.ani)
            #expect(supervised.hasPrefix("Tindak lanjut Anda (3):") && supervised.contains("\(retry) kunjungan \(code)") && supervised.contains("\(aniVisit) telepon"),
                    "\(supervised)")
            let bySupervisor = try exchange("SELESAI \(retry) 4321 sudah ditemui bersama", from: Self.ani)
            #expect(bySupervisor.hasPrefix("SELESAI \(retry) dicatat"), "\(bySupervisor)")
            #expect(try Self.followUp(c, case: caseID, retry)?["status"] == "done")

            // An unknown number gets one generic reply, and is logged without its number.
            let unknown = try exchange("KASUS", from: Self.stranger)
            #expect(unknown == "Nomor ini tidak terdaftar di Kawal. Hubungi kantor LRC.")

            // gammu-smsd runs RunOnReceive again (or the inbox is handed over again): nothing changes twice.
            let before = try Self.inbound(c)
            let replay = try KawalBinaries.run("sms-inbound", ["--socket", socket, "--inbox", directory + "/gammu/inbox"])
            #expect(replay.status == 0, "\(replay.stderr)")
            #expect(replay.stderr.components(separatedBy: "seen before").count - 1 == before.count, "\(replay.stderr)")
            #expect(try Self.inbound(c).count == before.count)
            let afterReplay = try c.call("io.kawal.Cases.ListFollowUps", ["case_id": caseID])["followups"]!.arrayValue!
            #expect(afterReplay.count == 1, "only the plan's next visit after Ani's SELESAI: \(afterReplay)")

            // Every message is listed with the command it was read as and the reply; the text for administrators.
            let listed = try kawald.kawalctl(["inbound", "list"])
            #expect(listed.status == 0 && listed.stdout.contains("postpone") && listed.stdout.contains("unknown_sender")
                    && listed.stdout.contains("ibu dan anak aman"), "\(listed.stdout)\(listed.stderr)")
            #expect(before.filter { $0["outcome"] == "unknown_sender" }.allSatisfy { $0["text"] == .null && $0["handler"] == .null })

            // Privacy: no NIK, surname or summary in any reply or log line; no sender number in kawald's log.
            let everything = NotifierTests.files(directory + "/gammu/sent", suffix: ".txt").compactMap { NotifierTests.outboxText(directory + "/gammu/sent/" + $0) }.joined(separator: "\n")
            for forbidden in [Self.nik, "Aminah", "dipukul suami", "Sudarma"] {
                #expect(!everything.contains(forbidden), "a reply contains '\(forbidden)'")
                #expect(!kawald.log.contains(forbidden), "kawald's log contains '\(forbidden)'")
            }
            for number in ["89999999999", "81234567001", "81234567002"] { #expect(!kawald.log.contains(number), "kawald's log contains a sender's number") }
            #expect(replies >= 11)
            #expect(kawald.stop() == 0)
        }
    }
}
