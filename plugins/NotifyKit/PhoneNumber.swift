import Foundation

/// Indonesian mobile numbers in the international form gammu and gateways want: `+628…`.
///
/// Accepted: `08…`, `628…` and `+628…`, with spaces, dashes, dots or brackets between digits;
/// 9 to 12 digits after the country code. Anything else is refused with an error that does not
/// repeat the number.
///
/// ```swift
/// try PhoneNumber.normalise("0812-3456-7890")   // "+6281234567890"
/// ```
public enum PhoneNumber {
    public static func normalise(_ raw: String) throws(DeliveryFailure) -> String {
        var compact = ""
        for character in raw.trimmingCharacters(in: .whitespacesAndNewlines) {
            if character.isASCII, character.isNumber || character == "+" {
                compact.append(character)
            } else if character == " " || character == "-" || character == "." || character == "(" || character == ")" {
                continue
            } else {
                throw .permanent("the phone number contains a character that is not a digit (accepted: 08…, 628…, +628…)")
            }
        }
        let national: Substring
        if compact.hasPrefix("+62") {
            national = compact.dropFirst(3)
        } else if compact.hasPrefix("62") {
            national = compact.dropFirst(2)
        } else if compact.hasPrefix("0") {
            national = compact.dropFirst(1)
        } else {
            throw .permanent("the phone number is not Indonesian (accepted: 08…, 628…, +628…)")
        }
        guard national.first == "8" else {
            throw .permanent("the phone number is not an Indonesian mobile number (accepted: 08…, 628…, +628…)")
        }
        guard national.allSatisfy(\.isNumber) else {
            throw .permanent("the phone number has a '+' in the middle (accepted: 08…, 628…, +628…)")
        }
        guard (9...12).contains(national.count) else {
            throw .permanent("the phone number has \(national.count + 1) digits after the leading 0; an Indonesian mobile number has 10 to 13")
        }
        return "+62" + national
    }
}
