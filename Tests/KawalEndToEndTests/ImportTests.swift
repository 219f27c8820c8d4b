import Foundation
import KawalTesting
import Testing
import Varlink

/// `kawalctl import cases` and `kawalctl export cases` against the real kawald, with the shipped
/// KoboToolbox mapping.
@Suite(.serialized) struct ImportTests {
    static let root = SourceTree.root.path
    static let koboMapping = root + "/packaging/import/kobo-id.toml"

    /// A KoboToolbox export as it comes: `;` between cells, Kobo's own columns, Indonesian values,
    /// a quoted summary with the delimiter and a line break in it, and the same woman twice (same NIK).
    static let koboHeader = "start;nama;nik;jenis_kelamin;tanggal_lahir;desa;dusun;no_hp;jenis_kasus;risiko;ringkasan;tanggal_lapor;pendamping;_uuid;_submission_time"
    static let koboRows = [
        "2025-03-01T08:00;Siti Aminah;5203015708450001;P;17/08/1945;Sembalun;Dusun Lauk;081234567890;dokumen;rendah;\"Belum punya akta; perlu ke Dukcapil\";2025-03-01;ani;a1;2025-03-01",
        "2025-03-02T09:00;Lalu Hamdani;5203011203900002;L;1990-03-12;Aikmel;;0819-8765-4321;bpjs;sedang;\"Kartu BPJS\nhilang\";02/03/2025;;a2;2025-03-02",
        "2025-03-03T10:00;Siti Aminah;5203015708450001;P;17/08/1945;Sembalun;Dusun Lauk;081234567890;kekerasan;tinggi;Laporan kedua;2025-03-03;ani;a3;2025-03-03",
        "2025-03-04T11:00;Baiq Nurhayati;;perempuan;2001-01-05;Masbagik;Dusun Daye;;perkawinan_anak;tinggi;Rencana pernikahan usia anak;2025-03-04;;a4;2025-03-04",
    ]
    /// What must never show in kawald's log.
    static let secrets = ["Siti", "Aminah", "Hamdani", "Nurhayati", "5203015708450001", "5203011203900002", "81234567890", "87654321", "Dukcapil"]

    func write(_ lines: [String], named name: String, in kawald: KawalInstance) throws -> String {
        let path = kawald.directory + "/" + name
        try (lines.joined(separator: "\r\n") + "\r\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func json(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

    func count(_ c: VarlinkConnection) throws -> (people: Int, cases: Int) {
        let people = try c.call("io.kawal.People.List", ["limit": 500])["people"]!.arrayValue!.count
        let cases = try c.call("io.kawal.Cases.List", ["limit": 500])["cases"]!.arrayValue!.count
        return (people, cases)
    }

    func startWithHandler() throws -> KawalInstance {
        let kawald = try KawalInstance.start(.init(config: "[daemon]\nlog_level = \"trace\"\n"))
        _ = try kawald.connect().call("io.kawal.Handlers.Add", ["handler": ["code": "ani", "name": "Ani Pendamping"]])
        return kawald
    }

    @Test func aKoboExportImportsWithTheShippedMapping() throws {
        let kawald = try startWithHandler()
        let file = try write([Self.koboHeader] + Self.koboRows, named: "pengaduan.csv", in: kawald)
        let result = try kawald.kawalctl(["import", "cases", file, "--mapping", Self.koboMapping])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Imported pengaduan.csv: 4 of 4 rows opened a case (3 new people, 1 already recorded)"), "\(result.stdout)")
        #expect(result.stderr.isEmpty, "no progress line when stderr is not a terminal: \(result.stderr)")

        let c = try kawald.connect()
        #expect(try count(c) == (3, 4))
        let people = try c.call("io.kawal.People.List", ["name": "Siti Aminah"])["people"]!.arrayValue!
        #expect(people.count == 1)
        #expect(people.first?["open_cases"] == 2, "the second report of the same NIK joins the same person")
        let siti = try c.call("io.kawal.People.Get", ["id": people[0]["id"]!])["person"]!
        #expect(siti["sex"] == "female")
        #expect(siti["birth_date"] == "1945-08-17")
        #expect(siti["phone"] == "+6281234567890")
        #expect(siti["hamlet"] == "Dusun Lauk")
        #expect(siti["nik_masked"] == "5203**********01")

        let cases = try c.call("io.kawal.Cases.List", ["limit": 10])["cases"]!.arrayValue!
        #expect(Set(cases.compactMap { $0["type"]?.stringValue }) == ["document", "bpjs", "violence", "child_marriage"])
        let violence = try #require(cases.first { $0["type"] == "violence" })
        #expect(violence["risk"] == "high")
        #expect(violence["handler"] == "ani")
        #expect(violence["opened_at"]?.stringValue?.hasPrefix("2025-03-03T00:00:00") == true, "\(violence)")
        let bpjs = try c.call("io.kawal.Cases.Get", ["code": try #require(cases.first { $0["type"] == "bpjs" })["code"]!])
        #expect(bpjs["case"]?["summary"] == "Kartu BPJS\nhilang", "a line break inside quotes stays in the cell")
        #expect(bpjs["case"]?["opened_at"]?.stringValue?.hasPrefix("2025-03-02") == true)
        #expect(bpjs["history"]?.arrayValue?.first?["kind"] == "opened")

        let audit = try c.call("io.kawal.Audit.List", ["action": "case.import"])["events"]!.arrayValue!
        #expect(audit.count == 1)
        #expect(audit.first?["detail"] == "file pengaduan.csv: 4 rows imported (3 people created, 1 matched, 4 cases opened), 0 refused by kawald")
        #expect(try c.call("io.kawal.Audit.Verify")["ok"] == true)

        // Importing the same file again adds cases, not people.
        let again = try kawald.kawalctl(["import", "cases", file, "--mapping", Self.koboMapping, "--json"])
        #expect(try json(again.stdout)["people_matched"] == 4)
        #expect(try count(c) == (3, 8))
        kawald.stop()
        let log = kawald.log
        for secret in Self.secrets {
            #expect(!log.contains(secret), "kawald's log contains \(secret)")
        }
    }

    @Test func aBadDateIsReportedByRowAndColumnAndNothingIsImported() throws {
        let kawald = try startWithHandler()
        var rows = Self.koboRows
        rows[1] = rows[1].replacingOccurrences(of: "1990-03-12", with: "31-02-2024")
        rows[3] = rows[3].replacingOccurrences(of: "perkawinan_anak", with: "banjir")
        let file = try write([Self.koboHeader] + rows, named: "pengaduan.csv", in: kawald)
        let result = try kawald.kawalctl(["import", "cases", file, "--mapping", Self.koboMapping])
        #expect(result.status == 1)
        // Rows are numbered as a spreadsheet shows them: row 3 spans two lines of the file, the rows after it keep their numbers.
        #expect(result.stderr.contains(#"pengaduan.csv: row 3, column tanggal_lahir: "31-02-2024" is not a date (expected YYYY-MM-DD or DD/MM/YYYY)"#),
                "\(result.stderr)")
        #expect(result.stderr.contains("pengaduan.csv: row 5, column jenis_kasus: expected one of bpjs, child_marriage, document, other, social_assistance, violence"),
                "\(result.stderr)")
        #expect(result.stderr.contains("2 of 4 rows of pengaduan.csv were refused; nothing was imported"), "\(result.stderr)")
        #expect(try count(kawald.connect()) == (0, 0))

        // The same with --dry-run: reported alike, nothing written either.
        let dry = try kawald.kawalctl(["import", "cases", file, "--mapping", Self.koboMapping, "--dry-run", "--json"])
        #expect(dry.status == 1)
        let reply = try json(dry.stdout)
        #expect(reply["committed"] == false)
        #expect(reply["rejected"]?.arrayValue?.first == ["row": 3, "column": "tanggal_lahir", "message": #""31-02-2024" is not a date (expected YYYY-MM-DD or DD/MM/YYYY)"#])
        #expect(try count(kawald.connect()) == (0, 0))
    }

    @Test func skipInvalidImportsTheGoodRowsAndWritesTheRejects() throws {
        let kawald = try startWithHandler()
        var rows = Self.koboRows
        rows[1] = rows[1].replacingOccurrences(of: "1990-03-12", with: "31-02-2024")
        rows.append("2025-03-05T08:00;Rina;;P;2010-05-05;Suela;;;dokumen;rendah;;2025-03-05;budi;a5;2025-03-05")
        rows.append("too;few;cells")
        let file = try write([Self.koboHeader] + rows, named: "pengaduan.csv", in: kawald)
        let rejects = kawald.directory + "/ditolak.csv"
        let result = try kawald.kawalctl(["import", "cases", file, "--mapping", Self.koboMapping, "--skip-invalid", rejects])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("3 of 6 rows opened a case"), "\(result.stdout)")
        #expect(result.stdout.contains("3 refused rows written to \(rejects)"), "\(result.stdout)")
        #expect(try count(kawald.connect()) == (2, 3))

        let written = try String(contentsOfFile: rejects, encoding: .utf8)
        let lines = written.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == Self.koboHeader.replacingOccurrences(of: ";", with: ",") + ",error")
        #expect(lines[1] == "2025-03-02T09:00,Lalu Hamdani,5203011203900002,L,31-02-2024,Aikmel,,0819-8765-4321,bpjs,sedang,\"Kartu BPJS", "\(lines[1])")
        #expect(written.contains(#"column tanggal_lahir: ""31-02-2024"" is not a date (expected YYYY-MM-DD or DD/MM/YYYY)""#), "\(written)")
        #expect(written.contains("Rina,,P,2010-05-05,Suela,,,dokumen,rendah,,2025-03-05,budi,a5,2025-03-05,column pendamping: no handler with code 'budi'"), "\(written)")
        #expect(written.contains("too,few,cells,column -: has 3 cells where the header has 15"), "\(written)")
        let mode = try FileManager.default.attributesOfItem(atPath: rejects)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the rejects hold personal data")

        let audit = try kawald.connect().call("io.kawal.Audit.List", ["action": "case.import"])["events"]!.arrayValue!
        #expect(audit.first?["detail"] == "file pengaduan.csv: 3 rows imported (2 people created, 1 matched, 3 cases opened), 2 refused by kawald")
    }

    @Test func aDryRunCountsAndWritesNothing() throws {
        let kawald = try startWithHandler()
        let file = try write([Self.koboHeader] + Self.koboRows, named: "pengaduan.csv", in: kawald)
        let result = try kawald.kawalctl(["import", "cases", file, "--mapping", Self.koboMapping, "--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Dry run of pengaduan.csv: 4 of 4 rows would open a case (3 new people, 1 already recorded); nothing was written."),
                "\(result.stdout)")
        let c = try kawald.connect()
        #expect(try count(c) == (0, 0))
        #expect(try c.call("io.kawal.Audit.List", ["action": "case.import"])["events"]!.arrayValue!.isEmpty)
        #expect(try c.call("io.kawal.Audit.List", ["action": "case.import_dry_run"])["events"]!.arrayValue!.count == 1)
    }

    @Test func anExportImportsAgainAsTheSameRecords() throws {
        let first = try startWithHandler()
        let file = try write([Self.koboHeader] + Self.koboRows, named: "pengaduan.csv", in: first)
        #expect(try first.kawalctl(["import", "cases", file, "--mapping", Self.koboMapping]).status == 0)
        let exported = first.directory + "/export.csv"
        let export = try first.kawalctl(["export", "cases", "--format", "csv", "--reveal", "--output", exported])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderr.contains("exported 4 cases to \(exported)"))
        let text = try String(contentsOfFile: exported, encoding: .utf8)
        #expect(text.hasPrefix("code,status,opened,type,subtype,risk,urgent_safety,handler,summary,notes,name,nik,nik_masked,kk_number,sex,birth_date,village,hamlet,phone,guardian\n"))
        #expect(text.contains(",5203015708450001,5203**********01,"))
        #expect(try FileManager.default.attributesOfItem(atPath: exported)[.posixPermissions] as? Int == 0o600)

        // Into an office that has never seen these people: the same people and cases come out.
        let second = try startWithHandler()
        let imported = try second.kawalctl(["import", "cases", exported])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("4 of 4 rows opened a case (3 new people, 1 already recorded)"), "\(imported.stdout)")
        let again = second.directory + "/export.csv"
        #expect(try second.kawalctl(["export", "cases", "--reveal", "--output", again]).status == 0)
        #expect(try String(contentsOfFile: again, encoding: .utf8) == text)

        // Without --reveal the NIK is masked; JSON has the same columns.
        let masked = try first.kawalctl(["export", "cases", "--format", "json"])
        #expect(masked.status == 0, "\(masked.stderr)")
        let cases = try json(masked.stdout).arrayValue ?? []
        #expect(cases.count == 4)
        #expect(cases.first?["nik"] == .null)
        #expect(cases.first?["nik_masked"] == "5203**********01")
        #expect(cases.first?["summary"] == "Belum punya akta; perlu ke Dukcapil")
        let audit = try first.connect().call("io.kawal.Audit.List", ["object": "case"])["events"]!.arrayValue!.compactMap { $0["action"]?.stringValue }
        #expect(audit.contains("case.export"))
        #expect(audit.contains("case.export_reveal_nik"))
    }

    @Test func mappingAndHeaderMistakesAreNamedBeforeAnythingIsSent() throws {
        let kawald = try startWithHandler()
        let file = try write([Self.koboHeader + ";kolom_baru"] + Self.koboRows.map { $0 + ";x" }, named: "pengaduan.csv", in: kawald)
        let unknown = try kawald.kawalctl(["import", "cases", file, "--mapping", Self.koboMapping])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("column 'kolom_baru' is not in the mapping (\(Self.koboMapping)); under [columns], map each to a field or to \"ignore\", e.g. kolom_baru = \"ignore\""),
                "\(unknown.stderr)")

        let mapping = kawald.directory + "/mapping.toml"
        try "# mine\n[columns]\nnama = \"name\"\ndesa = \"desa\"\n".write(toFile: mapping, atomically: true, encoding: .utf8)
        let badField = try kawald.kawalctl(["import", "cases", file, "--mapping", mapping])
        #expect(badField.status == 1)
        #expect(badField.stderr.contains("\(mapping):4: \"desa\" is not an import field; expected one of name, nik,"), "\(badField.stderr)")

        try "[columns]\nnama = name\n".write(toFile: mapping, atomically: true, encoding: .utf8)
        let unquoted = try kawald.kawalctl(["import", "cases", file, "--mapping", mapping])
        #expect(unquoted.stderr.contains("\(mapping):2: expected a quoted value"), "\(unquoted.stderr)")

        let plain = try write(["nama,desa", "Siti,Sembalun"], named: "plain.csv", in: kawald)
        let noMapping = try kawald.kawalctl(["import", "cases", plain])
        #expect(noMapping.stderr.contains("columns 'nama', 'desa' are not in the mapping (Kawal's own column names"), "\(noMapping.stderr)")

        try "[columns]\nnama = \"name\"\ndesa = \"village\"\n".write(toFile: mapping, atomically: true, encoding: .utf8)
        let noType = try kawald.kawalctl(["import", "cases", plain, "--mapping", mapping])
        #expect(noType.stderr.contains("no column gives type, which every row needs"), "\(noType.stderr)")
        #expect(try count(kawald.connect()) == (0, 0))
    }

    @Test func sessionsBelongToTheirImport() throws {
        let kawald = try KawalInstance.start()
        let c = try kawald.connect()
        do {
            try c.call("io.kawal.Import.AddRows", ["session": "nope", "rows": []])
            Issue.record("a made-up session was accepted")
        } catch let error as VarlinkError {
            #expect(error.name == "io.kawal.Import.SessionNotFound")
        }
        do {
            try c.call("io.kawal.Import.Begin", ["source": "x.csv", "fields": ["name", "village"]])
            Issue.record("a layout without type was accepted")
        } catch let error as VarlinkError {
            #expect(error.parameters["message"] == "fields: every row needs type")
        }
        let session = try c.call("io.kawal.Import.Begin", ["source": "x.csv", "fields": ["name", "village", "type"]])["session"]!
        let added = try c.call("io.kawal.Import.AddRows", ["session": session, "rows": [["row": 2, "values": ["Siti", "Sembalun", "other"]]]])
        #expect(added["accepted"] == 1)
        try c.call("io.kawal.Import.Abort", ["session": session])
        #expect(throws: VarlinkError.self) { try c.call("io.kawal.Import.Commit", ["session": session]) }
        #expect(try count(c) == (0, 0))
    }
}
