/// The fields of a case import: what a mapping file may name, what io.kawal.Import.Begin accepts
/// and the columns of an export. The raw values are the names used on the wire and in files.
public enum CaseImportField: String, CaseIterable, Sendable {
    // The person.
    case name, nik, kkNumber = "kk_number", sex, birthDate = "birth_date", village, hamlet, phone, guardian
    // The case.
    case type, subtype, risk, urgentSafety = "urgent_safety", summary, notes, opened, handler

    /// Without these a row cannot become a person and a case.
    public static let required: [CaseImportField] = [.name, .village, .type]

    /// What the field holds and how it is written, for mapping-file errors and `--help`.
    public var help: String {
        switch self {
        case .name: return "the person's name"
        case .nik: return "NIK, 16 digits"
        case .kkNumber: return "KK number, 16 digits"
        case .sex: return "female or male"
        case .birthDate: return "YYYY-MM-DD or DD/MM/YYYY"
        case .village: return "desa"
        case .hamlet: return "dusun"
        case .phone: return "08…, 628… or +628…"
        case .guardian: return "wali"
        case .type: return "document, bpjs, social_assistance, violence, child_marriage or other"
        case .subtype: return "free text"
        case .risk: return "low, medium or high (empty: low)"
        case .urgentSafety: return "true or false (empty: false)"
        case .summary: return "free text"
        case .notes: return "free text"
        case .opened: return "the day the case was reported: YYYY-MM-DD or DD/MM/YYYY (empty: the import's time)"
        case .handler: return "a handler code"
        }
    }
}
