/// A Nomor Induk Kependudukan (NIK): the 16-digit Indonesian population number, laid out as
/// `PPRRKK DDMMYY SSSS`: province, regency and district (kecamatan) where it was issued, the birth date
/// (day + 40 for women) and a serial.
///
/// ```swift
/// let nik = try NIK("5203 0157 0845 0001")
/// nik.regencyName            // "Lombok Timur"
/// nik.sex                    // .female
/// nik.birthDateCandidates    // [1945-08-17, 2045-08-17]
/// nik.masked                 // "5203**********01"
/// nik.warnings(sex: .male)   // ["NIK says female (birth day 57 = 17 + 40) but the entered sex is male"]
/// ```
///
/// A number is valid exactly when python-stdnum's `stdnum.id.nik.is_valid` says so: the province
/// must be known (not the regency), the day is read modulo 40, the date must exist in 19YY or 20YY,
/// and the serial is not checked. What stdnum lets through but a careful clerk would question
/// (an unknown regency, serial 0000, a day above 71) comes back from ``warnings(sex:birthDate:)``.
///
/// `description` is the masked form, so that a NIK interpolated into a log line does not leak.
public struct NIK: Sendable, Hashable, CustomStringConvertible {
    /// The 16 ASCII digits.
    public let number: String

    /// Normalises and validates `text`.
    public init(_ text: String) throws(NIKError) {
        let number = Self.normalised(text)
        if number.isEmpty { throw .empty }
        let nonDigits = number.unicodeScalars.filter { !Self.isASCIIDigit($0) }
        if !nonDigits.isEmpty { throw .notDigits(nonDigits.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }) }
        if number.utf8.count != 16 { throw .wrongLength(number.utf8.count) }
        self.number = number
        if IndonesianRegions.name(of: provinceCode) == nil { throw .unknownProvince(provinceCode) }
        if !(1...31).contains(dayField % 40) { throw .invalidDay(dayField) }
        if !(1...12).contains(monthField) { throw .invalidMonth(monthField) }
        if birthDateCandidates.isEmpty { throw .noSuchDate(dayField: dayField, month: monthField, year: yearField) }
    }

    /// `text` as python-stdnum's `compact` leaves it: spaces, dots and dashes (including their Unicode
    /// look-alikes, such as a no-break space or an en dash) removed, full-width and mathematical digits
    /// made ASCII, then surrounding whitespace trimmed.
    public static func normalised(_ text: String) -> String {
        // The common case, sixteen plain digits, has nothing to remove.
        if text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) { return text }
        var scalars: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars where !ignoredSeparators.contains(scalar.value) {
            scalars.append(asciiDigit(for: scalar) ?? scalar)
        }
        let start = scalars.firstIndex { !isWhitespace($0) } ?? scalars.endIndex
        let end = scalars.lastIndex { !isWhitespace($0) }.map { $0 + 1 } ?? start
        var trimmed = String.UnicodeScalarView()
        trimmed.append(contentsOf: scalars[start..<end])
        return String(trimmed)
    }

    public enum Sex: String, Sendable, CaseIterable {
        case female, male

        /// Accepts `female`/`male` and the words on a KTP, `perempuan`/`laki-laki`, in any case.
        public init?(parsing text: String) {
            switch text.lowercased() {
            case "female", "perempuan": self = .female
            case "male", "laki-laki": self = .male
            default: return nil
            }
        }
    }

    /// A day of the Gregorian calendar, written `YYYY-MM-DD`.
    public struct BirthDate: Sendable, Hashable, Comparable, CustomStringConvertible {
        public let year: Int
        public let month: Int
        public let day: Int

        /// Nil unless the date exists (2000-02-29 does, 1900-02-29 does not).
        public init?(year: Int, month: Int, day: Int) {
            guard (1...9999).contains(year), (1...12).contains(month), (1...Self.days(in: month, of: year)).contains(day) else { return nil }
            (self.year, self.month, self.day) = (year, month, day)
        }

        /// Parses exactly `YYYY-MM-DD`.
        public init?(parsing text: String) {
            let bytes = Array(text.utf8)
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                  let year = decimal(bytes[0..<4]), let month = decimal(bytes[5..<7]), let day = decimal(bytes[8..<10])
            else { return nil }
            self.init(year: year, month: month, day: day)
        }

        public var description: String { padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2) }

        public static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
        }

        static func days(in month: Int, of year: Int) -> Int {
            switch month {
            case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
            case 4, 6, 9, 11: return 30
            default: return 31
            }
        }
    }

    /// `5203**********01`: enough to tell records apart, too little to misuse.
    public var masked: String { Masking.digits(number) }

    public var description: String { masked }

    /// Two digits, e.g. `52` (Nusa Tenggara Barat).
    public var provinceCode: String { String(number.prefix(2)) }
    public var provinceName: String { IndonesianRegions.name(of: provinceCode) ?? provinceCode }
    /// Four digits, province and regency, e.g. `5203`.
    public var regencyCode: String { String(number.prefix(4)) }
    /// Nil for a regency that the region table does not list (the number is valid all the same).
    public var regencyName: String? { IndonesianRegions.name(of: regencyCode) }
    /// Six digits, province, regency and district (kecamatan), e.g. `520301`.
    public var districtCode: String { String(number.prefix(6)) }
    /// The last four digits.
    public var serial: String { String(number.suffix(4)) }

    /// Female when 40 was added to the birth day.
    public var sex: Sex { dayField > 40 ? .female : .male }

    /// The birth date read in 19YY and in 20YY, earliest first, keeping those that exist: the number
    /// holds only two digits of the year. stdnum's `get_birth_date` returns the first.
    public var birthDateCandidates: [BirthDate] {
        [1900, 2000].compactMap { BirthDate(year: $0 + yearField, month: monthField, day: dayField % 40) }
    }

    /// What deserves a second look, never a reason to refuse the number: oddities of the number itself,
    /// and disagreements with the sex and birth date entered for the person.
    public func warnings(sex enteredSex: Sex? = nil, birthDate enteredBirthDate: BirthDate? = nil) -> [String] {
        var warnings: [String] = []
        if regencyName == nil {
            warnings.append("regency \(regencyCode) is not in the region table (province \(provinceCode), \(provinceName), is); check the number against the KTP or KK")
        }
        if dayField > 71 {
            warnings.append("birth day \(padded(dayField, 2)) is above 71; read as day \(padded(dayField % 40, 2)) of a woman, as python-stdnum does, "
                + "but a NIK's day is 01-31, or 41-71 for women; check the number")
        }
        if serial == "0000" {
            warnings.append("serial 0000 is accepted, as python-stdnum does, but serials start at 0001; check the number")
        }
        if let enteredSex, enteredSex != sex {
            warnings.append("NIK says \(sex.rawValue) (\(dayExplanation)) but the entered sex is \(enteredSex.rawValue)")
        }
        if let enteredBirthDate, !birthDateCandidates.contains(enteredBirthDate) {
            let readings = birthDateCandidates.map(\.description).joined(separator: " or ")
            warnings.append("NIK says born \(readings) but the entered birth date is \(enteredBirthDate)")
        }
        return warnings
    }

    // MARK: - The fields of the number

    private var dayField: Int { field(6..<8) }
    private var monthField: Int { field(8..<10) }
    private var yearField: Int { field(10..<12) }

    private var dayExplanation: String {
        dayField > 40 ? "birth day \(padded(dayField, 2)) = \(padded(dayField % 40, 2)) + 40" : "birth day \(padded(dayField, 2))"
    }

    private func field(_ range: Range<Int>) -> Int {
        let bytes = Array(number.utf8)
        return decimal(bytes[range]) ?? 0
    }

    // MARK: - python-stdnum's clean() and str.strip()

    private static func isASCIIDigit(_ scalar: Unicode.Scalar) -> Bool { (0x30...0x39).contains(scalar.value) }

    /// Full-width digits (U+FF10...) and the five mathematical digit alphabets (U+1D7CE...U+1D7FF).
    private static func asciiDigit(for scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0xFF10...0xFF19: return Unicode.Scalar(0x30 + scalar.value - 0xFF10)
        case 0x1D7CE...0x1D7FF: return Unicode.Scalar(0x30 + (scalar.value - 0x1D7CE) % 10)
        default: return nil
        }
    }

    /// The characters stdnum turns into a space, a dash or a dot, all of which `compact` removes.
    private static let ignoredSeparators: Set<UInt32> = [
        // spaces
        0x20, 0xA0, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
        0x202F, 0x205F, 0x3000,
        // dashes
        0x2D, 0xAF, 0x2D7, 0x58A, 0x5BE, 0x1680, 0x180A, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015,
        0x203E, 0x2043, 0x207B, 0x208B, 0x2212, 0x23AF, 0x23BA, 0x23BB, 0x23BC, 0x23BD, 0x23E4, 0xFE63,
        0xFF0D, 0xFFE3,
        // dots
        0x2E, 0xB7, 0x2D9, 0x387, 0x6D4, 0x701, 0x702, 0x830, 0xF0B, 0xF0C, 0x16EB, 0x2022, 0x2024, 0x2027,
        0x2219, 0x22C5, 0x2E31, 0x2E33, 0x3002, 0x30FB, 0xFBB2, 0xFBB3, 0xFE52, 0xFF0E, 0xFF65, 0x10101,
        0x1091F, 0x10A50,
    ]

    /// Python's `str.isspace()`, which `strip()` trims.
    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}

/// Why a text is not a NIK, and what would be accepted.
public enum NIKError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    /// The characters that are neither digits nor ignored separators, each once, in order.
    case notDigits([Unicode.Scalar])
    /// The number of digits found.
    case wrongLength(Int)
    /// The first two digits.
    case unknownProvince(String)
    /// Digits 7-8 as written, e.g. 32.
    case invalidDay(Int)
    /// Digits 9-10.
    case invalidMonth(Int)
    /// Day (as written, + 40 for women), month and two-digit year that make no date in 19YY nor 20YY.
    case noSuchDate(dayField: Int, month: Int, year: Int)

    private static let ignoring = "(spaces, dots and dashes are ignored)"

    public var description: String {
        switch self {
        case .empty:
            return "NIK is empty; expected 16 digits"
        case .notDigits(let scalars):
            let shown = scalars.prefix(5).map(Self.show).joined(separator: ", ") + (scalars.count > 5 ? ", ..." : "")
            return "NIK contains \(shown), which \(scalars.count == 1 ? "is not a digit" : "are not digits"); expected 16 digits \(Self.ignoring)"
        case .wrongLength(let count):
            return "NIK has \(count) digit\(count == 1 ? "" : "s"); expected 16 \(Self.ignoring)"
        case .unknownProvince(let code):
            return "NIK starts with \(code), which is not a province code; expected a province such as 52 (Nusa Tenggara Barat), "
                + "then the regency (5203 is Lombok Timur)"
        case .invalidDay(let day):
            return "NIK birth day \(padded(day, 2)) (digits 7-8) is not a day; expected 01-31, or 41-71 for women (day + 40)"
        case .invalidMonth(let month):
            return "NIK birth month \(padded(month, 2)) (digits 9-10) is not a month; expected 01-12"
        case .noSuchDate(let dayField, let month, let year):
            let written = padded(dayField, 2) + "-" + padded(month, 2) + "-" + padded(year, 2)
            let woman = dayField > 40 ? " (day \(padded(dayField % 40, 2)) + 40)" : ""
            let readings = [1900, 2000].map { padded($0 + year, 4) + "-" + padded(month, 2) + "-" + padded(dayField % 40, 2) }
            return "NIK birth date \(written)\(woman) does not exist: neither \(readings[0]) nor \(readings[1]) is a date; "
                + "expected a real date, day + 40 for women"
        }
    }

    /// A printable character in quotes, anything else as its code point.
    private static func show(_ scalar: Unicode.Scalar) -> String {
        if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        return "\"\(scalar)\""
    }
}

/// Provinces and regencies by code, from `Regions/regions.tsv` (built into the binary).
enum IndonesianRegions {
    static func name(of code: String) -> String? { names[code] }

    private static let names: [String: String] = {
        var names: [String: String] = [:]
        for line in PackageResources.regions_tsv.split(separator: UInt8(ascii: "\n")) where line.first != UInt8(ascii: "#") {
            guard let tab = line.firstIndex(of: UInt8(ascii: "\t")) else { continue }
            names[String(decoding: line[..<tab], as: UTF8.self)] = String(decoding: line[(tab + 1)...], as: UTF8.self)
        }
        return names
    }()
}

/// The value of ASCII decimal digits, nil if any byte is not one.
private func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
    var value = 0
    for byte in bytes {
        guard (0x30...0x39).contains(byte) else { return nil }
        value = value * 10 + Int(byte - 0x30)
    }
    return value
}

private func padded(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
