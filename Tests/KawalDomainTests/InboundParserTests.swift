import Foundation
import KawalDomain
import Testing

/// Reading handlers' messages: the commands as people type them on cheap phones.
@Suite struct InboundParserTests {
    let parser = InboundParser(vocabulary: InboundVocabulary(aliases: ["BERES": .done]))

    func parse(_ text: String, pin: Bool = false) -> Result<ParsedMessage, InboundParseFailure> {
        Result { () throws(InboundParseFailure) in try parser.parse(text, expectsPIN: pin) }
    }

    @Test(arguments: [
        ("SELESAI 1842 ibu sudah ditemui", InboundCommand.done(followUp: 1842, note: "ibu sudah ditemui")),
        ("  #selesai   #1842,  ibu sudah ditemui. ", .done(followUp: 1842, note: "ibu sudah ditemui")),
        ("Selesai 1842", .done(followUp: 1842, note: nil)),
        ("done 7 met the family", .done(followUp: 7, note: "met the family")),
        ("beres 7", .done(followUp: 7, note: nil)),
        ("GAGAL 1842 rumah kosong", .missed(followUp: 1842, reason: "rumah kosong")),
        ("tunda 1842 besok", .postpone(followUp: 1842, to: .tomorrow)),
        ("TUNDA 1842 LUSA", .postpone(followUp: 1842, to: .dayAfterTomorrow)),
        ("TUNDA 1842 3h", .postpone(followUp: 1842, to: .inDays(3))),
        ("TUNDA 1842 3 hari", .postpone(followUp: 1842, to: .inDays(3))),
        ("TUNDA 1842 senin", .postpone(followUp: 1842, to: .weekday(2))),
        ("TUNDA 1842 Jum'at", .postpone(followUp: 1842, to: .weekday(6))),
        ("TUNDA 1842 12/12", .postpone(followUp: 1842, to: .date(day: 12, month: 12, year: nil, hour: nil, minute: nil))),
        ("TUNDA 1842 12/12 09:00", .postpone(followUp: 1842, to: .date(day: 12, month: 12, year: nil, hour: 9, minute: 0))),
        ("TUNDA 1842 12/12/2026 jam 14.30", .postpone(followUp: 1842, to: .date(day: 12, month: 12, year: 2026, hour: 14, minute: 30))),
        ("KASUS", .cases),
        ("kasus?", .cases),
        ("RUJUK 7 DITERIMA 474/123", .referral(id: 7, status: .accepted, reference: "474/123")),
        ("rujuk 7 ditolak", .referral(id: 7, status: .rejected, reference: nil)),
        ("BARU Lendang Nangka Utara kekerasan ibu dipukul suami", .complaint(village: "Lendang Nangka Utara", type: .violence, story: "ibu dipukul suami")),
        ("BARU Sembalun perkawinan anak anak 15 th akan dinikahkan", .complaint(village: "Sembalun", type: .childMarriage, story: "anak 15 th akan dinikahkan")),
        ("BANTUAN", .help),
        ("help", .help),
    ])
    func commandsAreRead(text: String, expected: InboundCommand) throws {
        #expect(try parser.parse(text).command == expected)
    }

    @Test func whatCannotBeReadSaysWhy() {
        #expect(parse("   ... ") == .failure(.empty))
        #expect(parse("SELSAI 1842 sudah") == .failure(.unknownCommand(word: "SELSAI", suggestion: "SELESAI")), "a typo is suggested, never acted on")
        #expect(parse("terima kasih pak") == .failure(.unknownCommand(word: "TERIMA", suggestion: nil)))
        #expect(parse("SELESAI") == .failure(.missingNumber(.done)))
        #expect(parse("SELESAI abc") == .failure(.badNumber(.done, word: "abc")))
        #expect(parse("SELESAI 0") == .failure(.badNumber(.done, word: "0")))
        #expect(parse("TUNDA 1842") == .failure(.badWhen(number: 1842, text: "")))
        #expect(parse("TUNDA 1842 besok pagi") == .failure(.badWhen(number: 1842, text: "besok pagi")), "a time it cannot read fully")
        #expect(parse("TUNDA 1842 31/13") == .failure(.badWhen(number: 1842, text: "31/13")))
        #expect(parse("TUNDA 1842 12/12 25:00") == .failure(.badWhen(number: 1842, text: "12/12 25:00")))
        #expect(parse("RUJUK 7 mungkin") == .failure(.badReferralStatus(word: "mungkin")))
        #expect(parse("BARU kekerasan") == .failure(.incompleteComplaint))
        #expect(parse("BARU Sembalun") == .failure(.incompleteComplaint))
    }

    @Test func aPINFollowsTheNumber() throws {
        #expect(try parser.parse("SELESAI 1842 4321 sudah", expectsPIN: true) == ParsedMessage(command: .done(followUp: 1842, note: "sudah"), pin: "4321"))
        #expect(try parser.parse("KASUS 4321", expectsPIN: true).pin == "4321")
        #expect(parse("SELESAI 1842 sudah", pin: true) == .failure(.missingPIN(.done)))
        #expect(parse("KASUS", pin: true) == .failure(.missingPIN(.cases)))
        #expect(try parser.parse("BANTUAN", expectsPIN: true).command == .help, "help needs no PIN")
    }

    /// Thousands of generated messages: random case, spacing, punctuation and typos near the
    /// keywords. The parser never crashes, and a message it acts on is one it read in full: the
    /// command is the one written, with the number written.
    @Test func generatedMessagesAreReadOrRefusedNeverGuessed() {
        var random = SplitMix(seed: 20_261_208)
        let keywords: [(String, InboundCommandName)] = [("SELESAI", .done), ("GAGAL", .missed), ("TUNDA", .postpone), ("RUJUK", .referral)]
        let whens = ["besok", "lusa", "3h", "senin", "12/12", "12/12 09:00", "kemarin", "besok pagi", "99/99", "", "jam", "12/12 9"]
        let fillers = ["", " ", "  ", "#", ".", ",", "!", "\t", " # "]
        var acted = 0, refused = 0
        for _ in 0..<5000 {
            let (keyword, name) = keywords[Int(random.next() % UInt64(keywords.count))]
            var word = String(keyword.map { random.next() % 2 == 0 ? Character($0.lowercased()) : $0 })
            let typo = random.next() % 4 == 0
            if typo {
                var letters = Array(word)
                let at = Int(random.next() % UInt64(letters.count))
                switch random.next() % 3 {
                case 0: letters.remove(at: at)
                case 1: letters.insert(Character(UnicodeScalar(UInt8(65 + random.next() % 26))), at: at)
                default: letters[at] = Character(UnicodeScalar(UInt8(65 + random.next() % 26)))
                }
                word = String(letters)
            }
            let number = random.next() % 5 == 0 ? "12a" : String(1 + random.next() % 9999)
            let tail: String
            switch name {
            case .postpone: tail = whens[Int(random.next() % UInt64(whens.count))]
            case .referral: tail = ["DITERIMA", "ditolak", "selesai", "mungkin", ""][Int(random.next() % 5)]
            default: tail = ["", "sudah", "rumah kosong, pindah"][Int(random.next() % 3)]
            }
            func pad() -> String { fillers[Int(random.next() % UInt64(fillers.count))] }
            let text = pad() + word + pad() + " " + pad() + number + pad() + " " + tail + pad()
            do {
                let parsed = try parser.parse(text)
                acted += 1
                #expect(parsed.command.name == name, "\(text)")
                #expect(InboundParser.fold(word) == keyword || InboundVocabulary().keywords[InboundParser.fold(word)] == name, "acted on a typo: \(text)")
                #expect(number != "12a", "acted without a number: \(text)")
                if case .postpone = parsed.command { #expect(["besok", "lusa", "3h", "senin", "12/12", "12/12 09:00", "12/12 9"].contains(tail), "\(text)") }
            } catch {
                refused += 1
            }
        }
        #expect(acted > 1000 && refused > 1000)
    }

    @Test func postponementsResolveInTheDeploymentsZone() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Makassar")!
        // Tuesday 2026-12-08 10:00 WITA; the follow-up was due at 09:00.
        let now = try #require(calendar.date(from: DateComponents(year: 2026, month: 12, day: 8, hour: 10)))
        let due = try #require(calendar.date(from: DateComponents(year: 2026, month: 12, day: 8, hour: 9)))
        func at(_ day: Int, _ month: Int = 12, _ year: Int = 2026, hour: Int = 9, minute: Int = 0) -> Date? {
            calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))
        }
        #expect(WhenSpec.tomorrow.resolve(now: now, keepingTimeOf: due, calendar: calendar) == at(9))
        #expect(WhenSpec.dayAfterTomorrow.resolve(now: now, keepingTimeOf: due, calendar: calendar) == at(10))
        #expect(WhenSpec.inDays(3).resolve(now: now, keepingTimeOf: due, calendar: calendar) == at(11))
        #expect(WhenSpec.weekday(2).resolve(now: now, keepingTimeOf: due, calendar: calendar) == at(14), "next Monday")
        #expect(WhenSpec.weekday(3).resolve(now: now, keepingTimeOf: due, calendar: calendar) == at(15), "today is Tuesday: next week's")
        #expect(WhenSpec.date(day: 12, month: 12, year: nil, hour: 14, minute: 30).resolve(now: now, keepingTimeOf: due, calendar: calendar) == at(12, hour: 14, minute: 30))
        #expect(WhenSpec.date(day: 5, month: 1, year: nil, hour: nil, minute: nil).resolve(now: now, keepingTimeOf: due, calendar: calendar) == at(5, 1, 2027),
                "in December, 05/01 is next January")
        #expect(WhenSpec.date(day: 7, month: 12, year: nil, hour: nil, minute: nil).resolve(now: now, keepingTimeOf: due, calendar: calendar) == nil, "yesterday")
        #expect(WhenSpec.date(day: 8, month: 12, year: nil, hour: 9, minute: 30).resolve(now: now, keepingTimeOf: due, calendar: calendar) == nil, "earlier today")
        #expect(WhenSpec.date(day: 31, month: 2, year: 2027, hour: nil, minute: nil).resolve(now: now, keepingTimeOf: due, calendar: calendar) == nil)
    }

    @Test func aSenderIsLimitedWithinTheWindow() {
        let limit = SenderRateLimit(limit: 3, window: 3600)
        #expect(limit.allows(recentCount: 0) && limit.allows(recentCount: 2))
        #expect(!limit.allows(recentCount: 3) && !limit.allows(recentCount: 50))
    }

    @Test func aListIsFittedIntoTwoSMS() {
        let lines = (1...20).map { "18\($0) kunjungan K-2026-00\($0) (Siti) 12/12 09:00" }
        let text = fitIntoSMS(header: "Tindak lanjut Anda (20):", lines: lines, more: { "+\($0) lagi di kantor." })
        #expect(text.count <= 306)
        #expect(text.hasSuffix("lagi di kantor."))
        #expect(fitIntoSMS(header: "H", lines: ["a", "b"], more: { "+\($0)" }) == "H\na\nb")
    }
}

/// A small deterministic generator (SplitMix64), so that a failure can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
