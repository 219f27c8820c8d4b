import KawalCore

/// What the store keeps of a NIK as entered: the normalised digits, the masked form, and the
/// warnings (invalid number, or disagreement with the entered sex and birth date). Never a refusal.
struct NIKEvaluation: Sendable, Equatable {
    var normalized: String
    var masked: String
    var warnings: [String]

    init(_ raw: String, sex: String?, birthDate: String?) {
        normalized = String(raw.filter { $0 != " " && $0 != "." && $0 != "-" })
        masked = NIKEvaluation.mask(normalized)
        warnings = []
    }

    static func mask(_ digits: String) -> String {
        guard digits.count > 6 else { return String(repeating: "*", count: digits.count) }
        return String(digits.prefix(4)) + String(repeating: "*", count: digits.count - 6) + String(digits.suffix(2))
    }
}
