/// What a handler asked for in a message: the commands they can send from a phone.
public enum InboundCommand: Sendable, Equatable {
    /// `SELESAI 1842 [catatan]`: the follow-up is done, contact made, the note is its outcome.
    case done(followUp: Int64, note: String?)
    /// `GAGAL 1842 [alasan]`: missed; the next attempt is planned for today.
    case missed(followUp: Int64, reason: String?)
    /// `TUNDA 1842 besok`: the follow-up moves.
    case postpone(followUp: Int64, to: WhenSpec)
    /// `KASUS`: the sender's open follow-ups, soonest first.
    case cases
    /// `RUJUK 7 DITERIMA [ref]`: a referral's new status.
    case referral(id: Int64, status: ReferralStatus, reference: String?)
    /// `BARU <desa> <jenis> <cerita>`: a new complaint.
    case complaint(village: String, type: CaseType, story: String)
    /// `BANTUAN`, `HELP`.
    case help

    /// The command's name, for the inbound log: `done`, `postpone`, …
    public var name: InboundCommandName {
        switch self {
        case .done: return .done
        case .missed: return .missed
        case .postpone: return .postpone
        case .cases: return .cases
        case .referral: return .referral
        case .complaint: return .complaint
        case .help: return .help
        }
    }
}

/// The commands by name, with their keywords in each language. The first keyword of each list is
/// the one replies and help texts use.
public enum InboundCommandName: String, Sendable, Codable, CaseIterable {
    case done, missed, postpone, cases, referral, complaint, help

    public var indonesian: [String] {
        switch self {
        case .done: return ["SELESAI"]
        case .missed: return ["GAGAL"]
        case .postpone: return ["TUNDA"]
        case .cases: return ["KASUS"]
        case .referral: return ["RUJUK"]
        case .complaint: return ["BARU", "ADUAN"]
        case .help: return ["BANTUAN", "TOLONG"]
        }
    }

    public var english: [String] {
        switch self {
        case .done: return ["DONE"]
        case .missed: return ["MISSED", "FAILED"]
        case .postpone: return ["POSTPONE", "DELAY"]
        case .cases: return ["CASES"]
        case .referral: return ["REFER", "REFERRAL"]
        case .complaint: return ["NEW"]
        case .help: return ["HELP"]
        }
    }

    /// Whether the command's second word is a number (of a follow-up or referral).
    var takesNumber: Bool {
        switch self {
        case .done, .missed, .postpone, .referral: return true
        case .cases, .complaint, .help: return false
        }
    }
}

/// The keywords a deployment understands: the shipped Indonesian and English ones, and aliases an
/// office adds in its configuration (`[inbound.aliases] BERES = "done"`).
public struct InboundVocabulary: Sendable, Equatable {
    public private(set) var keywords: [String: InboundCommandName] = [:]

    public init(aliases: [String: InboundCommandName] = [:]) {
        for name in InboundCommandName.allCases {
            for keyword in name.indonesian + name.english { keywords[keyword] = name }
        }
        for (alias, name) in aliases { keywords[InboundParser.fold(alias)] = name }
    }

    /// The keyword nearest to `word` (at most two edits, and the word at least four letters), for
    /// "did you mean": a guess is offered, never acted on.
    public func nearest(_ word: String) -> (keyword: String, name: InboundCommandName)? {
        guard word.count >= 4 else { return nil }
        var best: (String, InboundCommandName, Int)?
        for (keyword, name) in keywords {
            let distance = InboundParser.editDistance(word, keyword, limit: 2)
            if distance <= 2, best == nil || distance < best!.2 || (distance == best!.2 && keyword < best!.0) {
                best = (keyword, name, distance)
            }
        }
        return best.map { ($0.0, $0.1) }
    }
}

/// When a postponed follow-up is due: as written, resolved against a clock and a calendar.
public enum WhenSpec: Sendable, Equatable {
    /// `besok`, `tomorrow`.
    case tomorrow
    /// `lusa`.
    case dayAfterTomorrow
    /// `3h`, `3 hari`, `3d`.
    case inDays(Int)
    /// `senin` … `minggu`, `monday` … `sunday`: the next such day (1 = Sunday … 7 = Saturday, as Calendar counts).
    case weekday(Int)
    /// `12/12`, `12/12/2026`, optionally with `09:00`.
    case date(day: Int, month: Int, year: Int?, hour: Int?, minute: Int?)
}

/// Why a message could not be read. Each names what was wrong; the reply says what would work.
public enum InboundParseFailure: Error, Sendable, Equatable {
    /// Nothing but spaces and punctuation.
    case empty
    /// The first word is no command; `suggestion` when it is close to one.
    case unknownCommand(word: String, suggestion: String?)
    /// The command needs a number next.
    case missingNumber(InboundCommandName)
    /// The word where the number should be is not one.
    case badNumber(InboundCommandName, word: String)
    /// `TUNDA 1842` without a time, or with one that cannot be read.
    case badWhen(number: Int64, text: String)
    /// `RUJUK 7` without DITERIMA, DITOLAK or SELESAI.
    case badReferralStatus(word: String?)
    /// `BARU` without a village, a type or a story.
    case incompleteComplaint
    /// The office asks for a PIN and the word after the number is not one.
    case missingPIN(InboundCommandName)
}

/// A message read: the command, and the PIN when the sender's office asks for one.
public struct ParsedMessage: Sendable, Equatable {
    public var command: InboundCommand
    public var pin: String?

    public init(command: InboundCommand, pin: String?) {
        self.command = command
        self.pin = pin
    }
}
