import Foundation

/// An SMS as the network counts it: GSM 03.38 7-bit text (160 characters, 153 per part when
/// split) or UCS-2 (70, 67 per part), limited to a number of parts.
///
/// Typographic punctuation that templates pick up (’ “ ” – — …) is replaced by its GSM
/// equivalent first, so that one curly quote does not turn a message into UCS-2 and more than
/// double its cost. A text too long for `maxParts` is cut at a word boundary and ends with an
/// ellipsis ("..." in GSM text, "…" in UCS-2).
///
/// ```swift
/// let sms = SMSText("Pengingat: kunjungi Ibu S. (KWL-2026-0042) hari ini.", maxParts: 3)
/// sms.encoding   // .gsm7
/// sms.parts.count   // 1
/// ```
public struct SMSText: Sendable, Equatable {
    public enum Encoding: String, Sendable {
        case gsm7
        case ucs2

        /// Characters (septets or UTF-16 units) in a message of one part, and per part of a longer one.
        public var singleLimit: Int { self == .gsm7 ? 160 : 70 }
        public var partLimit: Int { self == .gsm7 ? 153 : 67 }
    }

    public let text: String
    public let encoding: Encoding
    public let parts: [String]
    public let truncated: Bool

    public init(_ original: String, maxParts: Int) {
        let prepared = Self.prepare(original)
        let encoding: Encoding = prepared.unicodeScalars.allSatisfy(Self.isGSM) ? .gsm7 : .ucs2
        var text = prepared
        var truncated = false
        if Self.split(text, encoding).count > max(1, maxParts) {
            text = Self.truncate(text, encoding, maxParts: max(1, maxParts))
            truncated = true
        }
        self.text = text
        self.encoding = encoding
        self.parts = Self.split(text, encoding)
        self.truncated = truncated
    }

    /// Line endings as "\n", typographic punctuation as GSM characters, no trailing blanks.
    static func prepare(_ text: String) -> String {
        let replacements: [Character: String] = [
            "\u{2018}": "'", "\u{2019}": "'", "\u{201A}": "'", "\u{201C}": "\"", "\u{201D}": "\"", "\u{201E}": "\"",
            "\u{2013}": "-", "\u{2014}": "-", "\u{2026}": "...", "\u{00A0}": " ", "\u{2022}": "-", "\t": " ",
        ]
        var result = ""
        for character in text.replacingOccurrences(of: "\r\n", with: "\n") {
            if let replacement = replacements[character] { result += replacement } else { result.append(character) }
        }
        return result.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // GSM 03.38 basic character set (one septet each) and its extension table (escape + one septet).
    static let basic: Set<Unicode.Scalar> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà".unicodeScalars)
    static let extended: Set<Unicode.Scalar> = Set("\u{0C}^{}\\[~]|€".unicodeScalars)

    static func isGSM(_ scalar: Unicode.Scalar) -> Bool { basic.contains(scalar) || extended.contains(scalar) }

    /// What one character costs: septets in GSM text, UTF-16 units in UCS-2.
    static func cost(_ character: Character, _ encoding: Encoding) -> Int {
        switch encoding {
        case .gsm7: return character.unicodeScalars.reduce(0) { $0 + (extended.contains($1) ? 2 : 1) }
        case .ucs2: return character.utf16.count
        }
    }

    /// The parts a phone sends: whole characters only (an escape pair or a surrogate pair is never split).
    static func split(_ text: String, _ encoding: Encoding) -> [String] {
        let total = text.reduce(0) { $0 + cost($1, encoding) }
        if total <= encoding.singleLimit { return [text] }
        var parts: [String] = []
        var current = ""
        var used = 0
        for character in text {
            let c = cost(character, encoding)
            if used + c > encoding.partLimit {
                parts.append(current)
                current = ""
                used = 0
            }
            current.append(character)
            used += c
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    /// The longest start of `text` that fits `maxParts` with an ellipsis, cut after a word where one is near.
    static func truncate(_ text: String, _ encoding: Encoding, maxParts: Int) -> String {
        let ellipsis = encoding == .gsm7 ? "..." : "\u{2026}"
        let capacity = maxParts == 1 ? encoding.singleLimit : maxParts * encoding.partLimit
        let budget = capacity - ellipsis.reduce(0) { $0 + cost($1, encoding) }
        var kept: [Character] = []
        var used = 0
        for character in text {
            let c = cost(character, encoding)
            if used + c > budget { break }
            kept.append(character)
            used += c
        }
        // Back to the last blank, unless that throws away more than a fifth of the room.
        if let blank = kept.lastIndex(where: { $0 == " " || $0 == "\n" }), blank >= kept.count * 4 / 5 {
            kept.removeSubrange(blank...)
        }
        while let last = kept.last, last == " " || last == "\n" || last == "," || last == ";" || last == ":" { kept.removeLast() }
        var result = String(kept) + ellipsis
        // Parts are counted on whole characters, so an exact fill can still spill over: take one more off.
        while split(result, encoding).count > maxParts, !kept.isEmpty {
            kept.removeLast()
            result = String(kept) + ellipsis
        }
        return result
    }
}
