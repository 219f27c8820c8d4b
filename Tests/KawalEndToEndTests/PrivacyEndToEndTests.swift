import Foundation
import KawalTesting
import Testing
import Varlink

/// Reports, the consent register, retention and the data subject's rights against a real kawald.
@Suite(.serialized) struct PrivacyEndToEndTests {
    @discardableResult
    func run(_ kawald: KawalInstance, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
        let result = try kawald.kawalctl(arguments)
        #expect(result.status == 0, "kawalctl \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    func json(_ kawald: KawalInstance, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        try JSONValue(parsing: try run(kawald, arguments + ["--json"], sourceLocation: sourceLocation).stdout)
    }

    /// Opens `count` cases for as many new people in `village`.
    func openCases(_ connection: VarlinkConnection, village: String, type: String, count: Int, form: String? = nil) throws {
        for n in 0..<count {
            let person = try connection.call("io.kawal.People.Add", [
                "person": ["name": .string("\(village) \(type) \(n)"), "village": .string(village), "sex": "female", "birth_date": "1990-01-01"],
                "force": true,
            ])
            var input: [String: JSONValue] = ["person_id": person["person"]!["id"]!, "type": .string(type)]
            if let form { input["violence_form"] = .string(form) }
            _ = try connection.call("io.kawal.Cases.Open", ["case": .object(input)])
        }
    }

    /// The current month in the deployment's zone (WITA), as a report period.
    var thisMonth: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Makassar")!
        let parts = calendar.dateComponents([.year, .month], from: Date())
        return String(format: "%04d-%02d", parts.year!, parts.month!)
    }

    @Test func htmlReportRendersInHeadlessChromium() throws {
        let kawald = try KawalInstance.start()
        let connection = try kawald.connect()
        try openCases(connection, village: "Sembalun", type: "document", count: 4)
        try openCases(connection, village: "Selong", type: "document", count: 6)
        try openCases(connection, village: "Masbagik", type: "violence", count: 7, form: "psikis")
        let html = try run(kawald, ["report", "cases", "--period", thisMonth, "--by", "desa", "--format", "html"]).stdout
        #expect(!html.contains("Sembalun document 0"))
        let page = kawald.directory + "/report.html"
        try html.write(toFile: page, atomically: true, encoding: .utf8)
        let screenshot = kawald.directory + "/report.png"
        let chromium = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(kawald.directory)/chromium"]
        let shot = try KawalBinaries.run("chromium", chromium + ["--screenshot=\(screenshot)", "--window-size=1200,1600", "file://\(page)"])
        #expect(shot.status == 0, "\(shot.stderr)")
        let png = try #require(FileManager.default.contents(atPath: screenshot))
        #expect(png.count > 1000)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let dom = try KawalBinaries.run("chromium", chromium + ["--dump-dom", "file://\(page)"])
        #expect(dom.status == 0, "\(dom.stderr)")
        // The totals as the browser laid them out: 17 opened; Sembalun's 4 withheld, with Selong's 6 to protect it.
        #expect(dom.stdout.contains("id=\"total-opened\">17</span>"), "\(dom.stdout.prefix(2000))")
        #expect(dom.stdout.contains("<th scope=\"row\">Sembalun</th><td>&lt;5</td>"))
        #expect(dom.stdout.contains("<th scope=\"row\">Selong</th><td>x</td>"))
        #expect(dom.stdout.contains("<th scope=\"row\">Masbagik</th><td>7</td>"))
        #expect(dom.stdout.contains("<th scope=\"row\">psikis</th><td>7</td>"))

        // The same figures as CSV, Markdown and JSON; reading them is audited.
        let csv = try run(kawald, ["report", "cases", "--period", thisMonth, "--by", "desa,type", "--format", "csv"]).stdout
        #expect(csv.contains("Cases,Total,,17,"), "\(csv)")
        let report = try json(kawald, ["report", "cases", "--period", thisMonth, "--by", "desa"])
        #expect(report["report"]?["tables"]?[0]?["total"]?[0] == "17")
        let audit = try json(kawald, ["audit", "list", "--action", "report.cases"])
        #expect(audit["events"]?.arrayValue?.count == 3)
        let bad = try kawald.kawalctl(["report", "cases", "--period", "2025-13", "--by", "desa"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("expected YYYY-MM or YYYY-MM..YYYY-MM"), "\(bad.stderr)")
    }

    @Test func consentHoldExportRestrictAndEraseFromTheCommandLine() throws {
        let kawald = try KawalInstance.start()
        let person = try json(kawald, ["person", "add", "--name", "Nur Hidayah", "--village", "Aikmel", "--sex", "perempuan",
                                       "--birth-date", "2012-04-01", "--phone", "081234567891"])
        let id = String(try #require(person["person"]?["id"]?.intValue))
        // A child: consent through a guardian only.
        let selfConsent = try kawald.kawalctl(["consent", "add", id, "--purpose", "referral", "--method", "written"])
        #expect(selfConsent.status == 1)
        #expect(selfConsent.stderr.contains("under 18"), "\(selfConsent.stderr)")
        let consent = try json(kawald, ["consent", "add", id, "--purpose", "referral", "--method", "written", "--guardian", "Ibu Rahma",
                                        "--proof", "FORM-031"])
        #expect(consent["consent"]?["given_by"] == "guardian")
        #expect(try run(kawald, ["consent", "list", "--person", id]).stdout.contains("FORM-031"))

        let opened = try json(kawald, ["case", "open", "--person", id, "--type", "violence", "--violence-form", "fisik",
                                       "--violence-place", "rumah_tangga", "--perpetrator-relation", "orang_tua"])
        let code = try #require(opened["case"]?["code"]?.stringValue)
        #expect(opened["case"]?["violence_place"] == "rumah_tangga")
        let badForm = try kawald.kawalctl(["case", "open", "--person", id, "--type", "document", "--violence-form", "fisik"])
        #expect(badForm.status == 1)
        #expect(badForm.stderr.contains("only violence cases"), "\(badForm.stderr)")
        try run(kawald, ["referral", "add", code, "--service", "uptd-ppa", "--consent"])
        try run(kawald, ["case", "hold", code, "--reason", "LP/12/2025"])
        for status in ["assessment", "resolved", "closed"] { try run(kawald, ["case", "transition", code, status]) }
        let plan = try run(kawald, ["retention", "plan"]).stdout
        #expect(plan.contains(code) && plan.contains("legal hold"), "\(plan)")

        let export = try JSONValue(parsing: try run(kawald, ["person", "export", id]).stdout)
        #expect(export["person"]?["phone"] == "+6281234567891")
        #expect(export["consents"]?.arrayValue?.count == 1)
        #expect(export["cases"]?[0]?["referrals"]?.arrayValue?.count == 1)
        let actions = export["access_trail"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
        for expected in ["person.create", "consent.add", "case.open", "referral.add", "case.legal_hold", "person.export"] {
            #expect(actions.contains(expected), "\(expected) not in \(actions)")
        }

        try run(kawald, ["person", "restrict", id, "--reason", "permintaan tertulis 2025-03-02"])
        let shown = try json(kawald, ["person", "show", id])
        #expect(shown["person"]?["restricted_at"] != .null)
        let held = try kawald.kawalctl(["person", "erase", id, "--reason", "permintaan", "--json"])
        #expect(held.status == 1)
        #expect(try JSONValue(parsing: held.stdout)["error"] == "io.kawal.Privacy.LegalHold")
        try run(kawald, ["case", "unhold", code])
        try run(kawald, ["person", "unrestrict", id])
        let erased = try run(kawald, ["person", "erase", id, "--reason", "permintaan tertulis"]).stdout
        #expect(erased.contains("1 case kept as de-identified counts"), "\(erased)")
        #expect(try kawald.kawalctl(["person", "show", id]).status == 1)
        #expect(try run(kawald, ["audit", "verify"]).stdout.contains("intact"))
    }

    @Test func scheduledPurgeOnTheTestClockAndTheClockIsRefusedUnlessEnabled() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var kawald = try KawalInstance.start(directory: directory)
        let person = try json(kawald, ["person", "add", "--name", "Lina Lama", "--village", "Sembalun"])
        let id = String(try #require(person["person"]?["id"]?.intValue))
        let opened = try json(kawald, ["case", "open", "--person", id, "--type", "document"])
        let code = try #require(opened["case"]?["code"]?.stringValue)
        for status in ["assessment", "resolved", "closed"] { try run(kawald, ["case", "transition", code, status]) }
        kawald.stop()

        let config = "[retention]\ndefault = \"5y\"\n\n[timers.purge]\non_calendar = \"*:*:0/2\"\nkind = \"retention.purge\"\n"
        let refused = try KawalInstance.start(.init(config: config, environment: ["KAWAL_TEST_CLOCK_OFFSET": "1830d"], waitUntilReady: false),
                                              directory: directory)
        refused.process.waitUntilExit()
        #expect(refused.process.terminationStatus == 78)
        #expect(refused.log.contains("KAWAL_ENABLE_TEST_CLOCK"), "\(refused.log)")

        kawald = try KawalInstance.start(.init(config: config, environment: ["KAWAL_TEST_CLOCK_OFFSET": "1830d", "KAWAL_ENABLE_TEST_CLOCK": "1"]),
                                         directory: directory)
        #expect(waitUntil(15) { (try? kawald.kawalctl(["case", "show", code]).status) == 1 }, "\(kawald.log)")
        let purged = try json(kawald, ["audit", "list", "--action", "retention.purge"])
        #expect(purged["events"]?[0]?["object"] == .string("case/\(code)"))
        #expect(try kawald.kawalctl(["person", "show", id]).status == 1)
        #expect(!kawald.log.contains("Lina"))
    }

    @Test func monthlyReportIsHandedToTheNotifiers() throws {
        let config = """
            [reports]
            recipients = ["ani"]
            by = ["desa"]
            format = "csv"

            [timers.monthly-report]
            on_calendar = "*:*:0/2"
            kind = "report.monthly"
            """
        let kawald = try KawalInstance.start(.init(config: config))
        try run(kawald, ["handler", "add", "ani", "--name", "Ani Lestari", "--village", "Sembalun", "--email", "ani@example.org"])
        let connection = try kawald.connect()
        var job: JSONValue?
        #expect(waitUntil(15) {
            job = (try? connection.call("io.kawal.Jobs.List", ["kind": "notify.email"]))?["jobs"]?[0]
            return job != nil
        }, "\(kawald.log)")
        let payload = try JSONValue(parsing: try #require(job?["payload"]?.stringValue))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Makassar")!
        let previous = calendar.dateComponents([.year, .month], from: calendar.date(byAdding: .month, value: -1, to: Date())!)
        let period = String(format: "%04d-%02d", previous.year!, previous.month!)
        #expect(payload["message_id"]?.stringValue?.hasPrefix("report-\(period)-") == true)
        #expect(job?["idempotency_key"]?.stringValue == "notify:\(payload["message_id"]!.stringValue!):email")
        #expect(payload["to"]?["email"] == "ani@example.org")
        #expect(payload["to"]?["name"] == "Ani")
        #expect(payload["language"] == "id")
        #expect(payload["subject"] == .string("Laporan kasus bulanan Kawal \(period)"))
        #expect(payload["text"]?.stringValue?.contains("table,Desa,Opened") == true, "\(payload)")
        // The timer fires every two seconds; the report goes out once per period and recipient, however often it fires.
        #expect(waitUntil(15) {
            ((try? connection.call("io.kawal.Jobs.List", ["kind": "report.monthly", "state": "done"]))?["jobs"]?.arrayValue?.count ?? 0) >= 2
        }, "\(kawald.log)")
        #expect(try connection.call("io.kawal.Jobs.List", ["kind": "notify.email"])["jobs"]?.arrayValue?.count == 1)
    }
}

extension PrivacyEndToEndTests {
    /// A subject-access export may be handed to a guardian who is the one reported: a confidential or
    /// anonymous reporter is never in it, nor shown to anyone but an administrator.
    @Test func confidentialReportersStayOutOfTheSubjectAccessExport() throws {
        let kawald = try KawalInstance.start()
        let c = try kawald.connect()
        let person = try c.call("io.kawal.People.Add", ["person": ["name": "Baiq Rahmawati", "village": "Sembalun", "sex": "female",
                                                                   "birth_date": "2012-04-01"]])["person"]!["id"]!
        for (name, phone, flags) in [("Ibu Sumiati", "081234567001", ["confidential": true] as [String: JSONValue]),
                                     ("Pak Lalu Amir", "081234567002", ["anonymous": true])] {
            var reporter: [String: JSONValue] = ["name": .string(name), "relation": "tetangga", "phone": .string(phone),
                                                 "confidential": false, "anonymous": false]
            reporter.merge(flags) { _, new in new }
            let opened = try c.call("io.kawal.Cases.Open", ["case": ["person_id": person, "type": "violence", "reporter": .object(reporter)]])
            #expect(opened["case"]?["reporter"]?["name"] == .string(name), "an administrator sees who reported")
            #expect(opened["case"]?["reporter"]?["withheld"] == false)
        }
        let export = try run(kawald, ["person", "export", "\(person.intValue!)"]).stdout
        for secret in ["Sumiati", "Lalu Amir", "081234567001", "81234567001", "081234567002", "81234567002", "tetangga"] {
            #expect(!export.contains(secret), "the export names the reporter: \(secret)")
        }
        let cases = try JSONValue(parsing: export)["cases"]?.arrayValue ?? []
        #expect(cases.count == 2)
        #expect(cases.allSatisfy { $0["case"]?["reporter"]?["withheld"] == true })
    }

    @Test(.enabled(if: getuid() == 0, "acting as other users needs root (setpriv)"))
    func handlersReadReportsButNotThePrivacyDuties() throws {
        let kawald = try KawalInstance.start(.init(config: "[access]\nhandler_group = \"nogroup\"\n"))
        let c = try kawald.connect()
        try openCases(c, village: "Sembalun", type: "document", count: 1)
        let asHandler = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--init-groups"]
        func call(_ method: String, _ parameters: JSONValue) throws -> JSONValue {
            try JSONValue(parsing: try kawald.kawalctl(["call", "--json", method, parameters.jsonString], launcher: asHandler).stdout)
        }
        let report = try call("io.kawal.Reports.Cases", ["period": .string(thisMonth), "by": ["desa"]])
        #expect(report["report"]?["tables"]?[0]?["total"]?[0] == "<5", "\(report)")
        for (method, parameters) in [("io.kawal.Privacy.ExportPerson", ["id": 1] as JSONValue), ("io.kawal.Privacy.ListConsents", [:]),
                                     ("io.kawal.Privacy.Erase", ["id": 1, "reason": "x"]), ("io.kawal.Privacy.RetentionPlan", [:])] {
            #expect(try call(method, parameters)["error"] == "io.kawal.PermissionDenied", "\(method)")
        }
    }
}

extension JSONValue {
    /// An element of an array value, nil past its end or for anything but an array.
    subscript(index: Int) -> JSONValue? {
        guard let items = arrayValue, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
