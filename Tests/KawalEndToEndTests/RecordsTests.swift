import Foundation
import KawalTesting
import Testing
import Varlink

/// Case records through io.kawal.* with the real kawald: lifecycle, conflicts, roles, audit, privacy.
@Suite(.serialized) struct RecordsTests {
    static let nik = "5203015708450001"
    static let phone = "081234567890"

    func expectError(_ name: String, _ body: () throws -> Void) -> VarlinkError? {
        do {
            try body()
            Issue.record("expected \(name)")
            return nil
        } catch let error as VarlinkError {
            #expect(error.name == name, "\(error)")
            return error
        } catch {
            Issue.record("expected \(name), got \(error)")
            return nil
        }
    }

    @Test func aCaseWalksItsLifecycleAndRefusesIllegalMoves() throws {
        let kawald = try KawalInstance.start()
        let c = try kawald.connect()
        let person = try c.addPerson(nik: Self.nik, phone: Self.phone)
        var kase = try c.call("io.kawal.Cases.Open", ["case": ["person_id": .int(person), "type": "document", "subtype": "akta_lahir"]])["case"]!
        #expect(kase["status"] == "new")
        #expect(kase["code"]?.stringValue?.hasPrefix("K-") == true)
        #expect(kase["village"] == "Sembalun", "the village defaults to the person's")
        let id = kase["id"]!.intValue!

        let illegal = expectError("io.kawal.Cases.InvalidTransition") {
            try c.call("io.kawal.Cases.Transition", ["id": .int(id), "version": 1, "to": "closed"])
        }
        #expect(illegal?.parameters["allowed"] == ["assessment", "withdrawn"])

        for (version, status) in [(1, "assessment"), (2, "in_progress"), (3, "referred"), (4, "resolved"), (5, "closed"), (6, "reopened")] {
            kase = try c.call("io.kawal.Cases.Transition", ["id": .int(id), "version": .int(Int64(version)), "to": .string(status)])["case"]!
            #expect(kase["status"] == .string(status))
        }
        #expect(kase["closed_at"] == .null, "reopening clears the closing time")
        let detail = try c.call("io.kawal.Cases.Get", ["code": kase["code"]!])
        #expect(detail["history"]?.arrayValue?.filter { $0["kind"] == "transition" }.count == 6)
    }

    @Test func aStaleUpdateIsAConflictNotAnOverwrite() throws {
        let kawald = try KawalInstance.start()
        let c = try kawald.connect()
        let person = try c.addPerson(phone: Self.phone)
        _ = try c.call("io.kawal.People.Update", ["id": .int(person), "version": 1, "changes": ["notes": "first editor"]])
        let conflict = expectError("io.kawal.Conflict") {
            try c.call("io.kawal.People.Update", ["id": .int(person), "version": 1, "changes": ["notes": "second editor"]])
        }
        #expect(conflict?.parameters["current_version"] == 2)
        #expect(try c.call("io.kawal.People.Get", ["id": .int(person)])["person"]?["notes"] == "first editor")
    }

    @Test func duplicatesNeedForceAndNIKWarningsAreKept() throws {
        let kawald = try KawalInstance.start()
        let c = try kawald.connect()
        _ = try c.addPerson(nik: Self.nik, phone: Self.phone)
        let byNIK = expectError("io.kawal.People.DuplicateSuspected") { _ = try c.addPerson(name: "S. Aminah", nik: "5203 0157 0845 0001", phone: Self.phone) }
        #expect(byNIK?.parameters["candidates"]?.arrayValue?.first?["reason"] == "same NIK")
        let byIdentity = expectError("io.kawal.People.DuplicateSuspected") { _ = try c.addPerson(name: "siti  AMINAH", phone: Self.phone) }
        #expect(byIdentity?.parameters["candidates"]?.arrayValue?.first?["reason"] == "same name, birth date and village")
        let forced = try c.addPerson(name: "siti aminah", phone: Self.phone, force: true)
        #expect(forced > 1)
        let forcedEvents = try c.call("io.kawal.Audit.List", ["object": .string("person/\(forced)")])["events"]!.arrayValue!
        #expect(forcedEvents.first?["detail"]?.stringValue?.contains("forced past likely duplicates") == true)

        // A NIK that disagrees with the entered data is kept, with a warning.
        let reply = try c.call("io.kawal.People.Add", ["person": ["name": "Budi", "village": "Suela", "sex": "male", "nik": .string(Self.nik)], "force": true])
        #expect(reply["warnings"]?.arrayValue?.isEmpty == false)
        #expect(reply["person"]?["nik_masked"] == "5203**********01")
        #expect(reply["person"]?["nik"] == .null)
        let revealed = try c.call("io.kawal.People.Get", ["id": reply["person"]!["id"]!, "reveal": true])
        #expect(revealed["person"]?["nik"] == .string(Self.nik))
        let reveals = try c.call("io.kawal.Audit.List", ["action": "person.reveal_nik"])["events"]!.arrayValue!
        #expect(reveals.count == 1)
    }

    @Test func followUpsAreFoundWhenOverdueOrDueSoon() throws {
        let kawald = try KawalInstance.start()
        let c = try kawald.connect()
        let person = try c.addPerson(phone: Self.phone)
        let id = try c.call("io.kawal.Cases.Open", ["case": ["person_id": .int(person), "type": "bpjs"]])["case"]!["id"]!
        _ = try c.call("io.kawal.Cases.AddFollowUp", ["case_id": id, "kind": "call", "due": "2020-01-01"])
        _ = try c.call("io.kawal.Cases.AddFollowUp", ["case_id": id, "kind": "visit", "due": "+2d"])
        _ = try c.call("io.kawal.Cases.AddFollowUp", ["case_id": id, "kind": "visit", "due": "+30d"])
        let overdue = try c.call("io.kawal.Cases.ListFollowUps", ["overdue": true])["followups"]!.arrayValue!
        #expect(overdue.map { $0["kind"] } == ["call"])
        #expect(overdue.first?["overdue"] == true)
        #expect(overdue.first?["due_at"]?.stringValue?.hasSuffix("+08:00") == true, "times are shown in WITA")
        let soon = try c.call("io.kawal.Cases.ListFollowUps", ["due_within": "7d"])["followups"]!.arrayValue!
        #expect(soon.count == 2)
        let bad = expectError("io.kawal.InvalidInput") { try c.call("io.kawal.Cases.ListFollowUps", ["due_within": "a week"]) }
        #expect(bad?.parameters["field"] == "due_within")
        let done = try c.call("io.kawal.Cases.RecordFollowUp", ["id": overdue[0]["id"]!, "version": 1, "status": "missed", "retry_due": "+1d"])
        #expect(done["retry"]?["attempt"] == 2)
        // Closing the case cancels what is still planned.
        for (version, status) in [(1, "withdrawn")] {
            _ = try c.call("io.kawal.Cases.Transition", ["id": id, "version": .int(Int64(version)), "to": .string(status)])
        }
        #expect(try c.call("io.kawal.Cases.ListFollowUps", [:])["followups"]!.arrayValue!.isEmpty)
    }

    @Test func pagesAreStableAndSearchFindsNotes() throws {
        let kawald = try KawalInstance.start()
        let c = try kawald.connect()
        for i in 0..<7 { _ = try c.addPerson(name: "Warga \(i)", birthDate: "1990-01-0\(i + 1)", phone: Self.phone) }
        var seen: [Int64] = []
        var after: JSONValue = .null
        repeat {
            var parameters: [String: JSONValue] = ["limit": 3]
            if after != .null { parameters["after"] = after }
            let page = try c.call("io.kawal.People.List", parameters)
            seen += page["people"]!.arrayValue!.map { $0["id"]!.intValue! }
            after = page["next"] ?? .null
        } while after != .null
        #expect(seen == Array(1...7))
        let person = try c.addPerson(name: "Lalu Ahmad", phone: Self.phone)
        _ = try c.call("io.kawal.Cases.Open", ["case": ["person_id": .int(person), "type": "child_marriage", "notes": "rencana pernikahan anak di bawah umur"]])
        let hits = try c.call("io.kawal.Cases.Search", ["text": "pernikahan"])["results"]!.arrayValue!
        #expect(hits.first?["kind"] == "case")
        #expect(try c.call("io.kawal.Cases.Search", ["text": "ahmad"])["results"]!.arrayValue!.first?["kind"] == "person")
    }

    @Test(.enabled(if: getuid() == 0, "acting as other users needs root (setpriv)"))
    func handlersSeeOnlyTheirOwnCasesAndStrangersNothing() throws {
        // Case handlers are the members of group nogroup here; 'nobody' is handler ani, 'daemon' is budi.
        let kawald = try KawalInstance.start(.init(config: "[access]\nhandler_group = \"nogroup\"\n"))
        let c = try kawald.connect()
        _ = try c.call("io.kawal.Handlers.Add", ["handler": ["code": "ani", "name": "Ani", "unix_user": "nobody"]])
        _ = try c.call("io.kawal.Handlers.Add", ["handler": ["code": "budi", "name": "Budi", "unix_user": "daemon"]])
        let mine = try c.call("io.kawal.Cases.Open", ["case": ["person_id": .int(try c.addPerson(phone: Self.phone)), "type": "violence", "handler": "ani"]])["case"]!
        let theirs = try c.call("io.kawal.Cases.Open", ["case": ["person_id": .int(try c.addPerson(name: "Rina", phone: Self.phone)), "type": "violence", "handler": "budi"]])["case"]!

        let asAni = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--init-groups"]
        func call(_ method: String, _ parameters: JSONValue) throws -> CommandResult {
            try kawald.kawalctl(["call", "--json", method, parameters.jsonString], launcher: asAni)
        }
        let listed = try JSONValue(parsing: try call("io.kawal.Cases.List", [:]).stdout)
        #expect(listed["cases"]?.arrayValue?.map { $0["code"] } == [mine["code"]!])
        let other = try call("io.kawal.Cases.Get", ["id": theirs["id"]!])
        #expect(other.status == 1)
        #expect(try JSONValue(parsing: other.stdout)["error"] == "io.kawal.NotFound")
        #expect(try call("io.kawal.People.Get", ["id": theirs["person_id"]!]).status == 1)
        // A handler records the outcome of a follow-up on their case, but may not reassign it.
        let followUp = try c.call("io.kawal.Cases.AddFollowUp", ["case_id": mine["id"]!, "kind": "visit", "due": "today"])["followup"]!
        let recorded = try call("io.kawal.Cases.RecordFollowUp", ["id": followUp["id"]!, "version": 1, "status": "done", "outcome": "kontak dibuat"])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let assign = try call("io.kawal.Cases.Assign", ["id": mine["id"]!, "version": mine["version"]!, "handler": "budi"])
        #expect(try JSONValue(parsing: assign.stdout)["error"] == "io.kawal.PermissionDenied")
        let reveal = try call("io.kawal.People.Get", ["id": mine["person_id"]!, "reveal": true])
        #expect(try JSONValue(parsing: reveal.stdout)["error"] == "io.kawal.PermissionDenied")
        // A stranger gets nothing at all.
        let stranger = try kawald.kawalctl(["call", "--json", "io.kawal.Cases.List"], launcher: ["setpriv", "--reuid=nobody", "--regid=daemon", "--clear-groups"])
        #expect(try JSONValue(parsing: stranger.stdout)["error"] == "io.kawal.PermissionDenied")
        // Reads are audited with who read.
        let reads = try c.call("io.kawal.Audit.List", ["action": "case.list"])["events"]!.arrayValue!
        #expect(reads.contains { $0["actor_role"] == "handler" && $0["actor_uid"] == 65534 })
    }

    @Test func tamperingWithTheAuditLogIsFoundAndNamed() throws {
        let kawald = try KawalInstance.start()
        let c = try kawald.connect()
        for i in 0..<5 { _ = try c.addPerson(name: "Warga \(i)", phone: Self.phone) }
        #expect(try c.call("io.kawal.Audit.Verify")["ok"] == true)
        let database = kawald.stateDirectory + "/kawal.db"
        let edit = try KawalBinaries.run("sqlite3", [database, "UPDATE auditEvent SET actorUID = 1000 WHERE id = 3"])
        #expect(edit.status == 0, "\(edit.stderr)")
        let broken = try c.call("io.kawal.Audit.Verify")
        #expect(broken["ok"] == false)
        #expect(broken["first_broken"] == 3)
        #expect(broken["message"]?.stringValue?.contains("event 3 was changed") == true)
        _ = try KawalBinaries.run("sqlite3", [database, "UPDATE auditEvent SET actorUID = 0 WHERE id = 3; DELETE FROM auditEvent WHERE id = 4"])
        let deleted = try c.call("io.kawal.Audit.Verify")
        #expect(deleted["first_broken"] == 4)
        #expect(deleted["message"]?.stringValue?.contains("event 4 is missing") == true)
    }

    @Test func personalDataNeverReachesTheLog() throws {
        let kawald = try KawalInstance.start(.init(config: "[daemon]\nlog_level = \"trace\"\n"))
        let c = try kawald.connect()
        let person = try c.addPerson(name: "Baiq Nurhayati", nik: Self.nik, phone: Self.phone)
        _ = try c.call("io.kawal.Cases.Open", ["case": ["person_id": .int(person), "type": "violence", "summary": "Baiq melapor kekerasan"]])
        _ = try? c.addPerson(name: "Baiq Nurhayati", nik: Self.nik, phone: Self.phone)
        _ = try? c.call("io.kawal.People.Update", ["id": .int(person), "version": 9, "changes": ["name": "Baiq N."]])
        _ = try? c.call("io.kawal.People.Add", ["person": ["name": "Baiq", "village": "Sembalun", "phone": "nomor 12"]])
        kawald.stop()
        let log = kawald.log
        for secret in ["Baiq", "Nurhayati", Self.nik, "5203 0157", Self.phone, "81234567890", "kekerasan"] {
            #expect(!log.contains(secret), "the log contains \(secret)")
        }
    }

    @Test func acknowledgedCasesSurviveKill9() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var acknowledged: Set<String> = []
        var person: Int64 = 0
        for trial in 0..<20 {
            let kawald = try KawalInstance.start(directory: directory)
            let c = try kawald.connect()
            if trial == 0 { person = try c.addPerson(phone: Self.phone) }
            let deadline = Date().addingTimeInterval(Double.random(in: 0.05...0.3))
            var killed = false
            while true {
                if !killed && Date() > deadline {
                    kawald.signal(SIGKILL)
                    killed = true
                }
                do {
                    let code = try c.call("io.kawal.Cases.Open", ["case": ["person_id": .int(person), "type": "other"]])["case"]!["code"]!.stringValue!
                    acknowledged.insert(code)
                } catch {
                    break
                }
            }
            kawald.process.waitUntilExit()
        }
        let kawald = try KawalInstance.start(directory: directory)
        let c = try kawald.connect()
        var stored: Set<String> = []
        var after: JSONValue = .null
        repeat {
            var parameters: [String: JSONValue] = ["limit": 500]
            if after != .null { parameters["after"] = after }
            let page = try c.call("io.kawal.Cases.List", parameters)
            stored.formUnion(page["cases"]!.arrayValue!.compactMap { $0["code"]?.stringValue })
            after = page["next"] ?? .null
        } while after != .null
        #expect(acknowledged.count > 20)
        #expect(acknowledged.isSubset(of: stored), "lost: \(acknowledged.subtracting(stored).sorted().prefix(5))")
        kawald.stop()
        let check = try KawalBinaries.run("sqlite3", [directory + "/state/kawal.db", "PRAGMA integrity_check"])
        #expect(check.stdout == "ok\n")
        print("crash test: \(acknowledged.count) acknowledged cases over 20 kill -9 trials, all present")
    }
}
