import Foundation
import KawalTesting
import Testing
import Varlink

/// kawalctl's record commands against a real kawald, as an office would use them.
@Suite(.serialized) struct RecordsCLITests {
    static let nik = "5203015708450001"
    static let maskedNIK = "5203**********01"

    /// Runs kawalctl and expects it to succeed.
    @discardableResult
    func run(_ kawald: KawalInstance, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
        let result = try kawald.kawalctl(arguments)
        #expect(result.status == 0, "kawalctl \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs kawalctl with --json and parses what it printed.
    func json(_ kawald: KawalInstance, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        let result = try kawald.kawalctl(arguments + ["--json"])
        #expect(result.status == 0, "kawalctl \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return try JSONValue(parsing: result.stdout)
    }

    func addSiti(_ kawald: KawalInstance, _ extra: [String] = []) throws -> CommandResult {
        try kawald.kawalctl([
            "person", "add", "--name", "Siti Aminah", "--village", "Sembalun", "--nik", Self.nik, "--sex", "perempuan",
            "--birth-date", "1945-08-17", "--phone", "0812-3456-7890", "--vulnerability", "elderly", "--vulnerability", "poor",
            "--document", "ktp",
        ] + extra)
    }

    @Test func aCaseFromFirstReportToClosed() throws {
        let kawald = try KawalInstance.start()

        // A handler, and the person the case is about.
        let handler = try json(kawald, ["handler", "add", "ani", "--name", "Ani Lestari", "--village", "Sembalun"])
        #expect(handler["handler"]?["code"] == "ani")
        #expect(try run(kawald, ["handler", "list"]).stdout.contains("Ani Lestari"))

        let added = try addSiti(kawald, ["--json"])
        #expect(added.status == 0, "\(added.stderr)")
        let person = try JSONValue(parsing: added.stdout)
        let personID = try #require(person["person"]?["id"]?.intValue)
        #expect(person["person"]?["nik_masked"] == .string(Self.maskedNIK))
        #expect(person["person"]?["nik"] == .null)
        #expect(person["warnings"] == [])

        // The same NIK again is a likely duplicate: refused, with the candidate and the way past it.
        let duplicate = try addSiti(kawald)
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("may be recorded already"))
        #expect(duplicate.stderr.contains("same NIK"))
        #expect(duplicate.stderr.contains("--force"))
        let duplicateJSON = try JSONValue(parsing: try addSiti(kawald, ["--json"]).stdout)
        #expect(duplicateJSON["error"] == "io.kawal.People.DuplicateSuspected")
        #expect(duplicateJSON["parameters"]?["candidates"]?.arrayValue?.first?["id"]?.intValue == personID)
        let forced = try addSiti(kawald, ["--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("Added person"))

        // Lists never show the full NIK nor phone numbers; the detail view does, and --reveal the NIK.
        for arguments in [["person", "list"], ["person", "list", "--json"], ["person", "list", "--name", "siti"]] {
            let listed = try run(kawald, arguments)
            #expect(!listed.stdout.contains(Self.nik), "\(arguments)")
            #expect(!listed.stdout.contains("3456"), "\(arguments)")
            #expect(listed.stdout.contains(Self.maskedNIK), "\(arguments)")
            #expect(listed.stdout.contains("Siti Aminah"), "\(arguments)")
        }
        let shown = try run(kawald, ["person", "show", String(personID)])
        #expect(shown.stdout.contains("+6281234567890"))
        #expect(shown.stdout.contains("elderly, poor"))
        #expect(!shown.stdout.contains(Self.nik))
        #expect(try run(kawald, ["person", "show", String(personID), "--reveal"]).stdout.contains(Self.nik))

        let updated = try json(kawald, ["person", "update", String(personID), "--hamlet", "Lendang Luar"])
        #expect(updated["person"]?["version"] == 2)
        #expect(updated["person"]?["hamlet"] == "Lendang Luar")
        let stalePerson = try kawald.kawalctl(["person", "update", String(personID), "--version", "1", "--hamlet", "Dasan"])
        #expect(stalePerson.status == 1)
        #expect(stalePerson.stderr.contains("version 2"))
        try run(kawald, ["person", "consent", String(personID), "--purpose", "referral", "--granted", "--method", "thumbprint"])
        #expect(try run(kawald, ["person", "show", String(personID)]).stdout.contains("thumbprint"))

        // A case, assigned, and moved along its life; a stale version is a conflict, an illegal move names the allowed ones.
        let opened = try json(kawald, [
            "case", "open", "--person", String(personID), "--type", "document", "--subtype", "akta_lahir",
            "--summary", "Akta kelahiran hilang waktu banjir", "--reporter-name", "Pak Rudi", "--confidential",
        ])
        let caseID = try #require(opened["case"]?["id"]?.intValue)
        let code = try #require(opened["case"]?["code"]?.stringValue)
        #expect(code.hasPrefix("K-") && code.hasSuffix("-0001"))
        #expect(opened["case"]?["status"] == "new")
        #expect(opened["case"]?["village"] == "Sembalun")

        let assigned = try json(kawald, ["case", "assign", code, "ani"])
        #expect(assigned["case"]?["handler"] == "ani")
        #expect(assigned["case"]?["version"] == 2)

        let stale = try kawald.kawalctl(["case", "assign", String(caseID), "--version", "1", "--none"])
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("version 2"))
        let staleJSON = try JSONValue(parsing: try kawald.kawalctl(["case", "update", String(caseID), "--version", "1", "--risk", "high", "--json"]).stdout)
        #expect(staleJSON["error"] == "io.kawal.Conflict")
        #expect(staleJSON["parameters"]?["current_version"] == 2)

        let illegal = try kawald.kawalctl(["case", "close", code])
        #expect(illegal.status == 1)
        #expect(illegal.stderr.contains("cannot go from new to closed"))
        #expect(illegal.stderr.contains("allowed: assessment, withdrawn"))
        let illegalJSON = try JSONValue(parsing: try kawald.kawalctl(["case", "transition", code, "resolved", "--json"]).stdout)
        #expect(illegalJSON["error"] == "io.kawal.Cases.InvalidTransition")
        #expect(illegalJSON["parameters"]?["allowed"] == ["assessment", "withdrawn"])

        #expect(try run(kawald, ["case", "transition", code, "assessment", "--note", "first visit planned"]).stdout
            .contains("Case \(code) is now assessment (version 3)"))
        try run(kawald, ["case", "transition", String(caseID), "in-progress"])
        let risky = try json(kawald, ["case", "update", code, "--risk", "high", "--urgent", "--reporter-relation", "neighbour"])
        #expect(risky["case"]?["risk"] == "high")
        #expect(risky["case"]?["reporter"]?["name"] == "Pak Rudi")
        #expect(risky["case"]?["reporter"]?["relation"] == "neighbour")
        #expect(risky["case"]?["reporter"]?["confidential"] == true)

        // Follow-ups: one overdue, one due soon, one later.
        let overdue = try json(kawald, ["followup", "add", code, "--kind", "visit", "--due", "2020-01-06T09:00", "--notes", "bring the KK"])
        let overdueID = try #require(overdue["followup"]?["id"]?.intValue)
        #expect(overdue["followup"]?["overdue"] == true)
        #expect(overdue["followup"]?["due_at"]?.stringValue?.hasPrefix("2020-01-06T09:00:00") == true)
        let soon = try json(kawald, ["followup", "add", String(caseID), "--kind", "call", "--due", "+2d", "--window-hours", "4"])
        let soonID = try #require(soon["followup"]?["id"]?.intValue)
        let later = try json(kawald, ["followup", "add", code, "--kind", "document-pickup", "--due", "+30d"])
        let laterID = try #require(later["followup"]?["id"]?.intValue)

        func ids(_ reply: JSONValue) -> [Int64] { reply["followups"]?.arrayValue?.compactMap { $0["id"]?.intValue } ?? [] }
        #expect(ids(try json(kawald, ["followup", "list", "--overdue"])) == [overdueID])
        #expect(ids(try json(kawald, ["followup", "list", "--due-within", "7d"])) == [overdueID, soonID])
        #expect(ids(try json(kawald, ["followup", "list", "--case", code, "--handler", "ani"])) == [overdueID, soonID, laterID])
        let overdueTable = try run(kawald, ["followup", "list", "--overdue"])
        #expect(overdueTable.stdout.contains("2020-01-06 09:00"))
        #expect(overdueTable.stdout.contains("planned, overdue"))

        #expect(try run(kawald, ["followup", "done", String(overdueID), "--outcome", "KK copied", "--contact-made"]).stdout
            .contains("recorded as done"))
        let missed = try json(kawald, ["followup", "done", String(soonID), "--missed", "--no-contact", "--retry", "+3d"])
        #expect(missed["followup"]?["status"] == "missed")
        #expect(missed["followup"]?["contact_made"] == false)
        #expect(missed["retry"]?["attempt"] == 2)
        #expect(try json(kawald, ["followup", "list", "--overdue"])["followups"] == [])
        let again = try kawald.kawalctl(["followup", "done", String(overdueID)])
        #expect(again.status == 1)
        #expect(again.stderr.contains("follow-up \(overdueID) is not planned"))

        // Referrals: with the person's consent, and without it by an audited override.
        let referral = try json(kawald, ["referral", "add", code, "--service", "dukcapil", "--consent", "--deadline", "+14d"])
        let referralID = try #require(referral["referral"]?["id"]?.intValue)
        #expect(referral["referral"]?["consent"] == "given")
        let override = try json(kawald, ["referral", "add", String(caseID), "--service", "uptd-ppa", "--override", "child in immediate danger"])
        #expect(override["referral"]?["consent"] == "override")
        #expect(override["referral"]?["override_reason"] == "child in immediate danger")
        #expect(try kawald.kawalctl(["referral", "add", code, "--service", "dinsos"]).status == 2)
        let accepted = try json(kawald, ["referral", "update", String(referralID), "--status", "accepted", "--external-ref", "DKP/2025/77"])
        #expect(accepted["referral"]?["status"] == "accepted")
        #expect(accepted["referral"]?["version"] == 2)
        #expect(try json(kawald, ["referral", "list", "--case", code])["referrals"]?.arrayValue?.count == 2)
        #expect(try json(kawald, ["referral", "list", "--status", "accepted"])["referrals"]?.arrayValue?.count == 1)

        // Search finds the person by name and the case by its summary.
        let found = try run(kawald, ["search", "siti"])
        #expect(found.stdout.contains("Siti Aminah, Sembalun"))
        let foundCase = try json(kawald, ["search", "banjir"])
        #expect(foundCase["results"]?.arrayValue?.first?["code"] == .string(code))

        // The whole case on one screen, times as people read them, the reporter's phone not at all.
        let detail = try run(kawald, ["case", "show", code])
        for heading in ["History:", "Follow-ups:", "Referrals:", code, "Siti Aminah", "akta_lahir", "high, urgent", "CONFIDENTIAL",
                        "new → assessment", "first visit planned", "DKP/2025/77", "2020-01-06 09:00"] {
            #expect(detail.stdout.contains(heading), "case show lacks \(heading)")
        }
        #expect(!detail.stdout.contains(#/\d{4}-\d\d-\d\dT\d\d:\d\d/#))
        #expect(try json(kawald, ["case", "show", String(caseID)])["history"]?.arrayValue?.isEmpty == false)

        // To the end: resolved, closed (which cancels what was still planned), and the open list no longer has it.
        try run(kawald, ["case", "transition", code, "resolved", "--note", "akta issued"])
        #expect(try run(kawald, ["case", "close", code]).stdout.contains("is now closed"))
        let closed = try json(kawald, ["case", "show", code])
        #expect(closed["case"]?["status"] == "closed")
        #expect(closed["case"]?["closed_at"] != .null)
        #expect(closed["followups"]?.arrayValue?.contains { $0["status"] == "planned" } == false)
        #expect(!(try run(kawald, ["case", "list", "--open"]).stdout.contains(code)))
        #expect(try run(kawald, ["case", "list", "--status", "closed"]).stdout.contains(code))
        #expect(try json(kawald, ["case", "list", "--handler", "ani"])["cases"]?.arrayValue?.first?["status"] == "closed")

        // The audit log has it all, and its chain holds.
        let events = try json(kawald, ["audit", "list", "--object", "case/\(code)", "--all"])["events"]?.arrayValue ?? []
        let actions = Set(events.compactMap { $0["action"]?.stringValue })
        for action in ["case.open", "case.assign", "case.transition", "case.read", "referral.add", "referral.add_consent_override"] {
            #expect(actions.contains(action), "no \(action) in the audit log")
        }
        #expect(try json(kawald, ["audit", "list", "--action", "person.reveal_nik"])["events"]?.arrayValue?.count == 1)
        let verified = try run(kawald, ["audit", "verify"])
        #expect(verified.stdout.contains("intact"))
        #expect(kawald.stop() == 0)
    }

    @Test func listsPageAndFollowTheCursor() throws {
        let kawald = try KawalInstance.start()
        for name in ["Ahmad", "Baiq Nur", "Lalu Sahnan", "Inaq Rahmah", "Amaq Darni"] {
            try run(kawald, ["person", "add", "--name", name, "--village", "Pringgabaya"])
        }
        let firstPage = try run(kawald, ["person", "list", "--limit", "2"])
        #expect(firstPage.stdout.contains("Ahmad"))
        #expect(!firstPage.stdout.contains("Lalu Sahnan"))
        #expect(firstPage.stdout.contains("More: add --after 2, or --all"))
        #expect(try run(kawald, ["person", "list", "--limit", "2", "--after", "2"]).stdout.contains("Lalu Sahnan"))
        let everyone = try json(kawald, ["person", "list", "--limit", "2", "--all"])
        #expect(everyone["people"]?.arrayValue?.count == 5)
        #expect(everyone["next"] == .null)
        let table = try run(kawald, ["person", "list", "--all"])
        #expect(table.stdout.split(separator: "\n").first?.hasPrefix("ID  NAME") == true)
        #expect(!table.stdout.contains("More:"))
        #expect(try run(kawald, ["audit", "list", "--limit", "3", "--all", "--json"]).stdout.contains("person.create"))
    }

    @Test func wrongCommandLinesExitTwoAndSayWhy() throws {
        let kawald = try KawalInstance.start()
        let badStatus = try kawald.kawalctl(["case", "transition", "1", "finished"])
        #expect(badStatus.status == 2)
        #expect(badStatus.stderr.contains("'finished' is not a case status"))
        #expect(badStatus.stderr.contains("in_progress"))
        #expect(try kawald.kawalctl(["person", "add", "--name", "Siti"]).status == 2)
        #expect(try kawald.kawalctl(["person", "add", "--name", "Siti", "--village", "X", "--vulnerability", "rich"]).status == 2)
        #expect(try kawald.kawalctl(["followup", "done", "1", "--retry", "+1d"]).status == 2)
        #expect(try kawald.kawalctl(["followup", "done", "1", "--missed", "--cancel"]).status == 2)
        #expect(try kawald.kawalctl(["case", "assign", "1"]).status == 2)
        #expect(try kawald.kawalctl(["person", "update", "1"]).status == 2)

        // Right command line, but kawald refuses: exit 1 with its reason.
        let missing = try kawald.kawalctl(["case", "show", "K-2025-0404"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("case/K-2025-0404 does not exist"))
        let badDue = try kawald.kawalctl(["followup", "list", "--due-within", "soon"])
        #expect(badDue.status == 1)
        #expect(badDue.stderr.contains("due_within"))
    }

    @Test(.enabled(if: (try? KawalBinaries.which("sqlite3")) != nil, "needs the sqlite3 command to tamper with the database"))
    func auditVerifyNamesTheEventThatBrokeTheChain() throws {
        let kawald = try KawalInstance.start()
        try run(kawald, ["handler", "add", "ani", "--name", "Ani"])
        try run(kawald, ["person", "add", "--name", "Siti", "--village", "Sembalun"])
        try run(kawald, ["person", "list"])
        let tamper = try KawalBinaries.run("sqlite3", [kawald.stateDirectory + "/kawal.db", "UPDATE auditEvent SET detail = 'nothing to see' WHERE id = 2"])
        #expect(tamper.status == 0, "\(tamper.stderr)")

        let broken = try kawald.kawalctl(["audit", "verify"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("broken at event 2"))
        #expect(broken.stderr.contains("was changed after it was written"))
        let brokenJSON = try kawald.kawalctl(["audit", "verify", "--json"])
        #expect(brokenJSON.status == 1)
        let reply = try JSONValue(parsing: brokenJSON.stdout)
        #expect(reply["ok"] == false)
        #expect(reply["first_broken"] == 2)
        // And the journal gets the alert with the catalog's id (on stderr here: key=value).
        #expect(kawald.log.contains("message_id=e8f9679d4cbe4d49a7a573bd9923b5ac"))
    }
}
