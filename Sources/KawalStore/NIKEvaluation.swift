import KawalCore

/// What the store keeps of a NIK as entered: the normalised digits, and the warnings (an invalid
/// number, or one that disagrees with the entered sex and birth date). Never a refusal: the
/// number on a card is recorded as it is, and the warning travels with the person.
struct NIKEvaluation: Sendable, Equatable {
    var normalized: String
    var warnings: [String]

    init(_ raw: String, sex: String?, birthDate: String?) {
        normalized = NIK.normalised(raw)
        do {
            let nik = try NIK(raw)
            warnings = nik.warnings(sex: sex.flatMap(NIK.Sex.init(parsing:)), birthDate: birthDate.flatMap(NIK.BirthDate.init(parsing:)))
        } catch {
            warnings = ["not a valid NIK: \(error)"]
        }
    }
}
