/// Reads a handler's message: case-insensitive, tolerant of extra spaces, punctuation and `#`,
/// Indonesian first with English and office aliases. Pure; a message it cannot read fully is a
/// failure that says why, never a guess that acts.
///
/// ```swift
/// let parser = InboundParser(vocabulary: InboundVocabulary())
/// try parser.parse("#selesai 1842, ibu sudah ditemui")   // .done(followUp: 1842, note: "ibu sudah ditemui")
/// ```
public struct InboundParser: Sendable {
    public var vocabulary: InboundVocabulary

    public init(vocabulary: InboundVocabulary) {
        self.vocabulary = vocabulary
    }

    /// Reads `text`; `expectsPIN`: the sender's office asks for a PIN after the number.
    public func parse(_ text: String, expectsPIN: Bool = false) throws(InboundParseFailure) -> ParsedMessage {
        var words = Self.words(text)
        guard !words.isEmpty else { throw .empty }
        let first = Self.fold(words.removeFirst())
        guard !first.isEmpty else { throw .empty }
        guard let name = vocabulary.keywords[first] else {
            throw .unknownCommand(word: first, suggestion: vocabulary.nearest(first)?.keyword)
        }
        var number: Int64 = 0
        var pin: String?
        if name.takesNumber {
            guard !words.isEmpty else { throw .missingNumber(name) }
            let word = words.removeFirst()
            guard let value = Self.number(word) else { throw .badNumber(name, word: Self.trimmed(word)) }
            number = value
            if expectsPIN {
                guard let word = words.first, let candidate = Self.digits(word), (4...8).contains(candidate.count) else { throw .missingPIN(name) }
                words.removeFirst()
                pin = candidate
            }
        } else if expectsPIN, name != .help {
            // KASUS and BARU carry the PIN as their first word; BANTUAN needs none.
            guard let word = words.first, let candidate = Self.digits(word), (4...8).contains(candidate.count) else { throw .missingPIN(name) }
            words.removeFirst()
            pin = candidate
        }
        let rest = Self.trimmed(words.joined(separator: " "))
        let command: InboundCommand
        switch name {
        case .done: command = .done(followUp: number, note: rest.isEmpty ? nil : rest)
        case .missed: command = .missed(followUp: number, reason: rest.isEmpty ? nil : rest)
        case .postpone:
            guard let when = Self.when(rest) else { throw .badWhen(number: number, text: rest) }
            command = .postpone(followUp: number, to: when)
        case .cases: command = .cases
        case .help: command = .help
        case .referral:
            guard let word = words.first, let status = Self.referralStatus(Self.fold(word)) else {
                throw .badReferralStatus(word: words.first.map(Self.trimmed))
            }
            let reference = Self.trimmed(words.dropFirst().joined(separator: " "))
            command = .referral(id: number, status: status, reference: reference.isEmpty ? nil : reference)
        case .complaint: command = try Self.complaint(words)
        }
        return ParsedMessage(command: command, pin: pin)
    }

    // MARK: Words

    static let punctuation: Set<Character> = [".", ",", ":", ";", "!", "?", "#", "*", "\"", "'", "(", ")", "[", "]", "-", "_", "/"]

    /// The message's words, split on any white space.
    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).map(String.init).filter { !trimmed($0).isEmpty || $0.contains(where: \.isNumber) }
    }

    /// A word without the punctuation around it.
    static func trimmed(_ word: String) -> String {
        var text = Substring(word)
        while let first = text.first, punctuation.contains(first) || first.isWhitespace { text.removeFirst() }
        while let last = text.last, punctuation.contains(last) || last.isWhitespace { text.removeLast() }
        return String(text)
    }

    /// A keyword as compared: trimmed, upper case, ASCII letters only kept as they are.
    public static func fold(_ word: String) -> String {
        trimmed(word).uppercased().filter { $0 != "'" && $0 != "’" }
    }

    static func digits(_ word: String) -> String? {
        let text = trimmed(word)
        guard !text.isEmpty, text.count <= 12, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return text
    }

    static func number(_ word: String) -> Int64? { digits(word).flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil } }

    static func referralStatus(_ word: String) -> ReferralStatus? {
        switch word {
        case "DITERIMA", "TERIMA", "ACCEPTED", "ACCEPT": return .accepted
        case "DITOLAK", "TOLAK", "REJECTED", "REJECT": return .rejected
        case "SELESAI", "DONE": return .done
        default: return nil
        }
    }

    static func caseType(_ word: String) -> CaseType? {
        switch word {
        case "DOKUMEN", "ADMINDUK", "DOCUMENT", "AKTA", "KTP", "KK", "KIA": return .document
        case "BPJS", "JKN", "KIS": return .bpjs
        case "BANSOS", "PKH", "BLT": return .socialAssistance
        case "KEKERASAN", "KDRT", "VIOLENCE": return .violence
        case "PERKAWINAN", "KAWIN", "NIKAH", "MARRIAGE": return .childMarriage
        case "LAINNYA", "LAIN", "OTHER": return .other
        default: return nil
        }
    }

    /// `BARU Lendang Nangka kekerasan ibu dipukul suami`: the village is every word before the
    /// first type word, the story every word after it.
    static func complaint(_ words: [String]) throws(InboundParseFailure) -> InboundCommand {
        guard let index = words.firstIndex(where: { caseType(fold($0)) != nil }), index > 0 else { throw .incompleteComplaint }
        let type = caseType(fold(words[index]))!
        var storyStart = index + 1
        if type == .childMarriage, storyStart < words.count, ["ANAK", "CHILD"].contains(fold(words[storyStart])) { storyStart += 1 }
        let village = trimmed(words[..<index].map(trimmed).joined(separator: " "))
        let story = trimmed(words[storyStart...].joined(separator: " "))
        guard !village.isEmpty, !story.isEmpty else { throw .incompleteComplaint }
        return .complaint(village: village, type: type, story: story)
    }

    // MARK: When

    static let weekdays: [String: Int] = [
        "MINGGU": 1, "SENIN": 2, "SELASA": 3, "RABU": 4, "KAMIS": 5, "JUMAT": 6, "SABTU": 7,
        "SUNDAY": 1, "MONDAY": 2, "TUESDAY": 3, "WEDNESDAY": 4, "THURSDAY": 5, "FRIDAY": 6, "SATURDAY": 7,
    ]

    /// `besok`, `lusa`, `3h`, `3 hari`, `senin`, `12/12`, `12/12/2026`, `12/12 09:00` (also `jam 09.00`).
    static func when(_ text: String) -> WhenSpec? {
        var words = text.split(separator: " ").map { trimmed(String($0)) }.filter { !$0.isEmpty }
        guard !words.isEmpty else { return nil }
        let first = words.removeFirst()
        let key = fold(first)
        if words.isEmpty {
            switch key {
            case "BESOK", "TOMORROW": return .tomorrow
            case "LUSA": return .dayAfterTomorrow
            default: break
            }
            if let weekday = weekdays[key] { return .weekday(weekday) }
            if let days = daysCount(key, unit: nil) { return .inDays(days) }
        } else if words.count == 1, let days = daysCount(key, unit: fold(words[0])) {
            return .inDays(days)
        }
        // A calendar date, perhaps with a time.
        let numbers = first.split(whereSeparator: { $0 == "/" || $0 == "-" }).map { Int($0) }
        guard (2...3).contains(numbers.count), numbers.allSatisfy({ $0 != nil }) else { return nil }
        let day = numbers[0]!, month = numbers[1]!
        var year = numbers.count == 3 ? numbers[2]! : nil
        if let short = year, short < 100 { year = 2000 + short }
        guard (1...31).contains(day), (1...12).contains(month), year.map({ (2000...2100).contains($0) }) ?? true else { return nil }
        if let filler = words.first.map(fold), ["JAM", "PUKUL", "AT"].contains(filler) { words.removeFirst() }
        guard let clock = words.first else { return .date(day: day, month: month, year: year, hour: nil, minute: nil) }
        let parts = clock.split(whereSeparator: { $0 == ":" || $0 == "." }).map { Int($0) }
        guard words.count == 1, (1...2).contains(parts.count), parts.allSatisfy({ $0 != nil }), (0...23).contains(parts[0]!),
              (0...59).contains(parts.count == 2 ? parts[1]! : 0) else { return nil }
        return .date(day: day, month: month, year: year, hour: parts[0]!, minute: parts.count == 2 ? parts[1]! : 0)
    }

    /// `3H`, `3HARI`, `3D` alone, or `3` followed by `HARI`, `HR`, `H`, `D`, `DAYS`.
    static func daysCount(_ word: String, unit: String?) -> Int? {
        let units: Set<String> = ["H", "HR", "HARI", "D", "DAY", "DAYS"]
        let digits = word.prefix(while: \.isNumber)
        guard !digits.isEmpty, digits.count <= 3, let count = Int(digits), (1...366).contains(count) else { return nil }
        let suffix = String(word.dropFirst(digits.count))
        if suffix.isEmpty { return unit.map { units.contains($0) } == true ? count : nil }
        return units.contains(suffix) ? count : nil
    }

    // MARK: Distance

    /// Levenshtein distance, giving up (returning `limit + 1`) once it must exceed `limit`.
    static func editDistance(_ a: String, _ b: String, limit: Int) -> Int {
        let a = Array(a), b = Array(b)
        if abs(a.count - b.count) > limit { return limit + 1 }
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            var rowMin = current[0]
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowMin = min(rowMin, current[j])
            }
            if rowMin > limit { return limit + 1 }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
