import Foundation

/// Keeps personal data out of log lines and job errors.
///
/// Output of a mailer or an SMS tool often repeats the address or number it failed on; before
/// such output goes into an error message, the known values are cut out, and so is anything that
/// looks like an e-mail address or a phone number.
///
/// ```swift
/// Redaction.scrub("recipient wayan@example.org refused", hiding: ["wayan@example.org"])
/// // "recipient <address> refused"
/// ```
/// kawald passes every line a plugin writes on stderr through it too (with `minimumDigits` 9, so
/// that ids, dates and counts survive), since those lines reach the journal and admin alerts.
public enum Redaction {
    public static func scrub(_ text: String, hiding known: [String] = [], minimumDigits: Int = 6) -> String {
        var result = text
        for value in known where value.count >= 3 {
            result = result.replacingOccurrences(of: value, with: "<hidden>")
        }
        return scrubPatterns(result, minimumDigits: minimumDigits)
    }

    /// Words with an '@' become `<address>`; runs of `minimumDigits` or more digits (with +, spaces,
    /// dashes, dots or brackets between, as phone numbers are written) become `<number>`.
    static func scrubPatterns(_ text: String, minimumDigits: Int) -> String {
        var output = ""
        var word = ""
        func flushWord() {
            output += word.contains("@") ? "<address>" : word
            word = ""
        }
        for character in text {
            if character.isWhitespace || character == "<" || character == ">" || character == "," || character == ";" || character == "\"" || character == "'" {
                flushWord()
                output.append(character)
            } else {
                word.append(character)
            }
        }
        flushWord()
        return hideDigitRuns(output, minimumDigits: minimumDigits)
    }

    private static func hideDigitRuns(_ text: String, minimumDigits: Int) -> String {
        let characters = Array(text)
        var output = ""
        var index = 0
        while index < characters.count {
            let start = index
            var digits = 0
            var end = index
            // A run: digits, with a leading '+' or '(' and spaces, dashes, dots or brackets between them.
            while end < characters.count {
                let character = characters[end]
                if character.isASCII, character.isNumber {
                    digits += 1
                } else if !((character == "+" || character == "(") && end == start)
                            && !((character == " " || character == "-" || character == "." || character == "(" || character == ")") && digits > 0) {
                    break
                }
                end += 1
            }
            // Do not swallow the separator after the run.
            while end > start, !characters[end - 1].isNumber { end -= 1 }
            if digits >= minimumDigits {
                output += "<number>"
                index = end
            } else {
                output.append(characters[start])
                index = start + 1
            }
        }
        return output
    }
}
