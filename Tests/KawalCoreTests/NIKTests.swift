import KawalCore
import Testing

@Suite struct NIKTests {
    // MARK: Rules

    @Test func stdnumDocumentationExamples() throws {
        #expect(try NIK("3171011708450001").number == "3171011708450001")
        #expect(throws: NIKError.unknownProvince("99")) { try NIK("9971011708450001") }
        #expect(try NIK("3171015708450001").birthDateCandidates.first?.description == "1945-08-17")
        #expect(try NIK("3171012902001234").birthDateCandidates.map(\.description) == ["2000-02-29"])
        #expect(throws: NIKError.noSuchDate(dayField: 30, month: 2, year: 0)) { try NIK("3171013002001234") }
    }

    @Test func eachRuleHasItsError() {
        #expect(throws: NIKError.empty) { try NIK("  ") }
        #expect(throws: NIKError.notDigits(["O", "l"])) { try NIK("52O30l57O8450001") }
        #expect(throws: NIKError.notDigits(["\t"])) { try NIK("5203015708\t450001") }
        #expect(throws: NIKError.wrongLength(15)) { try NIK("520301570845001") }
        #expect(throws: NIKError.wrongLength(17)) { try NIK("52030157084500012") }
        #expect(throws: NIKError.unknownProvince("10")) { try NIK("1003015708450001") }
        for day in [0, 32, 39, 40, 72, 80] {
            let text = "520301" + (day < 10 ? "0" : "") + "\(day)" + "08450001"
            #expect(throws: NIKError.invalidDay(day)) { try NIK(text) }
        }
        #expect(throws: NIKError.invalidMonth(0)) { try NIK("5203011700450001") }
        #expect(throws: NIKError.invalidMonth(13)) { try NIK("5203011713450001") }
        #expect(throws: NIKError.noSuchDate(dayField: 70, month: 2, year: 85)) { try NIK("5203017002850001") }
        #expect(throws: NIKError.noSuchDate(dayField: 31, month: 4, year: 10)) { try NIK("5203013104100001") }
        #expect(throws: NIKError.noSuchDate(dayField: 29, month: 2, year: 1)) { try NIK("5203012902010001") }
    }

    @Test func errorsSayWhatIsWrongAndWhatWouldDo() {
        #expect(NIKError.wrongLength(15).description == "NIK has 15 digits; expected 16 (spaces, dots and dashes are ignored)")
        #expect(NIKError.notDigits(["O"]).description == #"NIK contains "O", which is not a digit; expected 16 digits (spaces, dots and dashes are ignored)"#)
        #expect(NIKError.notDigits(["\t", "x"]).description.hasPrefix(#"NIK contains U+0009, "x", which are not digits"#))
        #expect(NIKError.unknownProvince("99").description.contains("52 (Nusa Tenggara Barat)"))
        #expect(NIKError.invalidDay(32).description == "NIK birth day 32 (digits 7-8) is not a day; expected 01-31, or 41-71 for women (day + 40)")
        #expect(NIKError.invalidMonth(13).description == "NIK birth month 13 (digits 9-10) is not a month; expected 01-12")
        #expect(NIKError.noSuchDate(dayField: 70, month: 2, year: 85).description
            == "NIK birth date 70-02-85 (day 30 + 40) does not exist: neither 1985-02-30 nor 2085-02-30 is a date; expected a real date, day + 40 for women")
    }

    /// Where python-stdnum is more lenient than the NIK format, we accept as it does and warn.
    @Test func acceptsWhatStdnumAccepts() throws {
        #expect(try NIK("5203015708450000").serial == "0000")
        #expect(try NIK("5299015708450001").regencyName == nil)
        #expect(try NIK("5203018108450001").birthDateCandidates.first?.description == "1945-08-01")
        #expect(try NIK("5203019908450001").sex == .female)
    }

    @Test func normalisesLikeStdnumCompact() throws {
        #expect(NIK.normalised(" 5203-0157.0845 0001\t\n") == "5203015708450001")
        // A no-break space, an en dash, a middle dot and full-width digits, as pasted from a document.
        #expect(NIK.normalised("5203\u{A0}0157\u{2013}0845\u{B7}\u{FF10}\u{FF10}\u{FF10}\u{FF11}") == "5203015708450001")
        #expect(NIK.normalised("5203\t0157") == "5203\t0157")
        #expect(try NIK("\u{2003}5203.01.570845.0001\r").number == "5203015708450001")
    }

    // MARK: Decoding

    @Test func decodesEastLombok() throws {
        let nik = try NIK("5203015708450001")
        #expect(nik.provinceCode == "52")
        #expect(nik.provinceName == "Nusa Tenggara Barat")
        #expect(nik.regencyCode == "5203")
        #expect(nik.regencyName == "Lombok Timur")
        #expect(nik.districtCode == "520301")
        #expect(nik.serial == "0001")
        #expect(try NIK("5271011708450001").regencyName == "Kota Mataram")
    }

    @Test func sexComesFromTheDay() throws {
        #expect(try NIK("3171011708450001").sex == .male)
        #expect(try NIK("3171013108450001").sex == .male)
        #expect(try NIK("3171014108450001").sex == .female)
        #expect(try NIK("3171015708450001").sex == .female)
        #expect(try NIK("3171017108450001").birthDateCandidates.first?.description == "1945-08-31")
    }

    @Test func birthDateCandidatesAreEveryCenturyThatWorks() throws {
        #expect(try NIK("3171011708450001").birthDateCandidates.map(\.description) == ["1945-08-17", "2045-08-17"])
        #expect(try NIK("3171012902040001").birthDateCandidates.map(\.description) == ["1904-02-29", "2004-02-29"])
        #expect(try NIK("3171016902000001").birthDateCandidates.map(\.description) == ["2000-02-29"])
        #expect(try NIK("3171010101990001").birthDateCandidates.map(\.description) == ["1999-01-01", "2099-01-01"])
    }

    // MARK: Masking

    @Test func maskShowsFirstFourAndLastTwo() throws {
        let nik = try NIK("5203015708450123")
        #expect(nik.masked == "5203**********23")
        #expect("\(nik)" == "5203**********23")
        #expect(!String(describing: nik).contains("570845"))
    }

    // MARK: Warnings

    @Test func agreeingDataGivesNoWarnings() throws {
        let nik = try NIK("5203015708450001")
        #expect(nik.warnings().isEmpty)
        #expect(nik.warnings(sex: .female, birthDate: NIK.BirthDate(parsing: "1945-08-17")).isEmpty)
        #expect(nik.warnings(sex: .female, birthDate: NIK.BirthDate(parsing: "2045-08-17")).isEmpty)
    }

    @Test func mismatchesAreWarnings() throws {
        let woman = try NIK("5203015708450001")
        #expect(woman.warnings(sex: .male) == ["NIK says female (birth day 57 = 17 + 40) but the entered sex is male"])
        #expect(woman.warnings(birthDate: NIK.BirthDate(year: 1946, month: 8, day: 17))
            == ["NIK says born 1945-08-17 or 2045-08-17 but the entered birth date is 1946-08-17"])
        let man = try NIK("5203011708450001")
        #expect(man.warnings(sex: .female, birthDate: NIK.BirthDate(year: 1945, month: 8, day: 18)) == [
            "NIK says male (birth day 17) but the entered sex is female",
            "NIK says born 1945-08-17 or 2045-08-17 but the entered birth date is 1945-08-18",
        ])
    }

    @Test func oddButValidNumbersAreWarnedAbout() throws {
        let warnings = try NIK("5299018108450000").warnings()
        #expect(warnings.count == 3)
        #expect(warnings[0].hasPrefix("regency 5299 is not in the region table"))
        #expect(warnings[1].hasPrefix("birth day 81 is above 71; read as day 01 of a woman"))
        #expect(warnings[2].hasPrefix("serial 0000 is accepted"))
    }

    @Test func enteredDataParses() {
        #expect(NIK.Sex(parsing: "Perempuan") == .female)
        #expect(NIK.Sex(parsing: "LAKI-LAKI") == .male)
        #expect(NIK.Sex(parsing: "f") == nil)
        #expect(NIK.BirthDate(parsing: "2000-02-29")?.description == "2000-02-29")
        #expect(NIK.BirthDate(parsing: "1900-02-29") == nil)
        #expect(NIK.BirthDate(parsing: "1945-8-17") == nil)
        #expect(NIK.BirthDate(parsing: "17-08-1945") == nil)
    }
}
