/// How long each free-text field may be, in characters: enough for what people write about a case,
/// small enough that no record outgrows a reply or an export page. The io.kawal interfaces say the
/// same in their comments; a longer value is refused, naming the field (nothing is cut silently).
public enum FieldLimit {
    /// Names of people, handlers, services; a reporter's name; a guardian.
    public static let name = 200
    /// A village (desa), a hamlet (dusun).
    public static let place = 100
    /// Short words and codes: subtype, relation, violence form and place, a NIK or KK number as typed.
    public static let word = 100
    /// A phone number as typed.
    public static let phone = 40
    /// An e-mail address (RFC 5321's limit).
    public static let email = 254
    /// A service's reference, a proof reference, a due date as typed.
    public static let reference = 200
    /// A case's summary.
    public static let summary = 2_000
    /// A follow-up's outcome, a referral override's reason, a consent note.
    public static let outcome = 2_000
    /// Notes on a person, a case, a follow-up or a referral.
    public static let notes = 4_000

    /// Why `value` is too long for `field`, or nil.
    public static func refusal(_ value: String?, limit: Int) -> String? {
        guard let value, value.count > limit else { return nil }
        return "\(value.count) characters; at most \(limit)"
    }
}
