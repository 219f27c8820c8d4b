import ArgumentParser
import KawalCore
import Varlink

struct Nik: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nik",
        abstract: "Check a NIK (Nomor Induk Kependudukan) and show what it encodes; works offline.",
        discussion: """
            Spaces, dots and dashes in NIK are ignored. The number is checked as python-stdnum's stdnum.id.nik \
            checks it (16 digits, a known province, a birth date that exists, day + 40 for women), then decoded: \
            region, sex, birth date (19YY or 20YY: the number holds two digits of the year) and serial. \
            --sex and --birth-date compare it with what was entered for the person: a mismatch is a warning, \
            not an error. kawald is not contacted.

            The full number is printed, with its masked form: this is a checker for numbers you typed yourself.

            With --batch, NIK is not given: one number is read from each line of standard input, and one line \
            is printed for each (a JSON object with --json).

            Exit status:
              0  the NIK is valid (warnings may have been printed); --batch: every line is
              1  the NIK is not valid; --batch: at least one line is not
              2  the command line is wrong
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The NIK: 16 digits, e.g. 5203015708450001.")
    var nik: String?

    @Option(name: .long, help: ArgumentHelp("The sex entered for the person: female or male (perempuan, laki-laki).", valueName: "sex"),
            transform: parseSex)
    var sex: NIK.Sex?

    @Option(name: .long, help: ArgumentHelp("The birth date entered for the person.", valueName: "YYYY-MM-DD"), transform: parseBirthDate)
    var birthDate: NIK.BirthDate?

    @Flag(name: .long, help: "Read one NIK per line from standard input; print one line (or JSON object) for each.")
    var batch = false

    func validate() throws {
        if batch {
            if nik != nil { throw ValidationError("give either a NIK or --batch (which reads them from standard input), not both") }
            if sex != nil || birthDate != nil { throw ValidationError("--sex and --birth-date describe one person; they do not go with --batch") }
        } else if nik == nil {
            throw ValidationError("missing NIK; give one, e.g. 'kawalctl nik 5203015708450001', or use --batch to read them from standard input")
        }
    }

    func run() throws {
        if batch {
            try checkStandardInput()
            return
        }
        let check = NIKCheck(nik ?? "", sex: sex, birthDate: birthDate)
        guard check.isValid else {
            throw CommandFailure(code: .daemonError, message: check.errorMessage ?? "not a NIK", json: options.json ? .some(check.json) : nil)
        }
        if options.json {
            print(check.json.prettyPrinted())
            return
        }
        Table.fields(check.rows).print()
    }

    private func checkStandardInput() throws {
        var total = 0
        var invalid = 0
        while let line = readLine() {
            let check = NIKCheck(line, sex: nil, birthDate: nil)
            total += 1
            if !check.isValid { invalid += 1 }
            print(options.json ? check.json.jsonString : check.line)
        }
        if invalid > 0 {
            throw CommandFailure(code: .daemonError, message: "\(invalid) of \(total) line\(total == 1 ? "" : "s") \(invalid == 1 ? "is" : "are") not a valid NIK")
        }
    }
}

/// One number checked, in the shapes `kawalctl nik` prints.
struct NIKCheck {
    let normalised: String
    let result: Result<NIK, NIKError>
    let warnings: [String]

    init(_ text: String, sex: NIK.Sex?, birthDate: NIK.BirthDate?) {
        normalised = NIK.normalised(text)
        do {
            let nik = try NIK(text)
            result = .success(nik)
            warnings = nik.warnings(sex: sex, birthDate: birthDate)
        } catch {
            result = .failure(error)
            warnings = []
        }
    }

    var isValid: Bool {
        if case .success = result { return true }
        return false
    }

    var errorMessage: String? {
        if case .failure(let error) = result { return error.description }
        return nil
    }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "valid": .bool(isValid), "nik": .string(normalised), "warnings": .array(warnings.map(JSONValue.string)),
            "error": errorMessage.map(JSONValue.string) ?? .null,
            "masked": .null, "province_code": .null, "province": .null, "regency_code": .null, "regency": .null,
            "district_code": .null, "sex": .null, "birth_date_candidates": .null, "serial": .null,
        ]
        if case .success(let nik) = result {
            object["masked"] = .string(nik.masked)
            object["province_code"] = .string(nik.provinceCode)
            object["province"] = .string(nik.provinceName)
            object["regency_code"] = .string(nik.regencyCode)
            object["regency"] = nik.regencyName.map(JSONValue.string) ?? .null
            object["district_code"] = .string(nik.districtCode)
            object["sex"] = .string(nik.sex.rawValue)
            object["birth_date_candidates"] = .array(nik.birthDateCandidates.map { .string($0.description) })
            object["serial"] = .string(nik.serial)
        }
        return .object(object)
    }

    /// The table for a valid number.
    var rows: [(String, String)] {
        guard case .success(let nik) = result else { return [] }
        var rows: [(String, String)] = [
            ("NIK", nik.number),
            ("Masked", nik.masked),
            ("Valid", warnings.isEmpty ? "yes" : "yes, with \(warnings.count) warning\(warnings.count == 1 ? "" : "s")"),
            ("Province", "\(nik.provinceCode) \(nik.provinceName)"),
            ("Regency", "\(nik.regencyCode) \(nik.regencyName ?? "(not in the region table)")"),
            ("District", nik.districtCode),
            ("Sex", nik.sex.rawValue),
            ("Birth date", nik.birthDateCandidates.map(\.description).joined(separator: " or ")),
            ("Serial", nik.serial),
        ]
        rows += warnings.map { ("Warning", $0) }
        return rows
    }

    /// One line of `--batch` output for people.
    var line: String {
        let shown = normalised.isEmpty ? "(empty)" : normalised
        switch result {
        case .success: return ([shown + "  valid"] + warnings.map { "warning: " + $0 }).joined(separator: "; ")
        case .failure(let error): return shown + "  invalid: " + error.description
        }
    }
}

func parseSex(_ text: String) throws -> NIK.Sex {
    guard let sex = NIK.Sex(parsing: text) else {
        throw ValidationError("'\(text)' is not a sex; expected female or male (perempuan, laki-laki)")
    }
    return sex
}

private func parseBirthDate(_ text: String) throws -> NIK.BirthDate {
    guard let date = NIK.BirthDate(parsing: text) else {
        throw ValidationError("'\(text)' is not a date; expected YYYY-MM-DD, e.g. 1945-08-17")
    }
    return date
}
