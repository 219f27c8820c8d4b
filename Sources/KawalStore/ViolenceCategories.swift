/// The national SIMFONI-PPA breakdown of a violence case (Sistem Informasi Online Perlindungan
/// Perempuan dan Anak): form of violence, place, and the perpetrator's relationship to the victim.
/// Codes are the SIMFONI categories in Indonesian, lower case with underscores.
public enum ViolenceCategories {
    public static let forms = ["fisik", "psikis", "seksual", "eksploitasi", "trafiking", "penelantaran", "lainnya"]
    public static let places = ["rumah_tangga", "tempat_kerja", "sekolah", "fasilitas_umum", "lembaga_pendidikan_kilat", "lainnya"]
    public static let relationships = ["orang_tua", "keluarga", "suami_istri", "pacar_teman", "guru", "majikan", "rekan_kerja",
                                       "petugas", "tetangga", "lainnya", "tidak_diketahui"]
    /// How a violence case without a category is counted.
    public static let unrecorded = "tidak_dicatat"

    /// Checks and applies the categories given in `input`; they belong to violence cases only.
    static func apply(_ input: CaseInput, to record: inout CaseRecord) throws(StoreError) {
        for (field, value, allowed, keyPath) in [
            ("violence_form", input.violenceForm, forms, \CaseRecord.violenceForm),
            ("violence_place", input.violencePlace, places, \CaseRecord.violencePlace),
            ("perpetrator_relation", input.perpetratorRelation, relationships, \CaseRecord.perpetratorRelation),
        ] {
            guard let value else { continue }
            if value.isEmpty {
                record[keyPath: keyPath] = nil
                continue
            }
            guard record.type == "violence" else {
                throw .invalid(field: field, message: "only violence cases have SIMFONI-PPA categories; this case's type is \(record.type)")
            }
            guard allowed.contains(value) else {
                throw .invalid(field: field, message: "'\(value)' is not a SIMFONI-PPA category: expected one of \(allowed.joined(separator: ", "))")
            }
            record[keyPath: keyPath] = value
        }
        if record.type != "violence" && (record.violenceForm != nil || record.violencePlace != nil || record.perpetratorRelation != nil) {
            throw .invalid(field: "type", message: "the case has SIMFONI-PPA categories, which only violence cases have: clear them first (set them to \"\")")
        }
    }
}
