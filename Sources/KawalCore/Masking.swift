/// How identity numbers (NIK, KK) are shown outside the detail view: the first four digits (the
/// region) and the last two, the rest as `*`: `5203**********01`.
public enum Masking {
    public static func digits(_ number: String) -> String {
        guard number.count > 6 else { return String(repeating: "*", count: number.count) }
        return String(number.prefix(4)) + String(repeating: "*", count: number.count - 6) + String(number.suffix(2))
    }
}
