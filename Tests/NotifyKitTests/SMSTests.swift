import Foundation
import NotifyKit
import Testing

struct PhoneNumberTests {
    @Test(arguments: [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62 (812) 3456.7890", "+6281234567890"),
        ("0817123456", "+62817123456"),
    ])
    func acceptedForms(raw: String, normalised: String) throws {
        #expect(try PhoneNumber.normalise(raw) == normalised)
    }

    @Test(arguments: ["", "12345", "+6221123456", "021-5551234", "+6181234567890", "81234567890", "0812345", "08123456789012345",
                      "0812-3456-789O", "+62+81234567890", "0062 812 3456 7890"])
    func refusedForms(raw: String) {
        #expect(throws: DeliveryFailure.self) { try PhoneNumber.normalise(raw) }
        do {
            _ = try PhoneNumber.normalise(raw)
        } catch {
            #expect(!error.retryable, "a bad number does not get better by waiting")
            #expect(raw.count < 4 || !error.message.contains(raw), "the error does not repeat the number")
            #expect(error.message.contains("08…, 628…, +628…") || error.message.contains("10 to 13"), "the error says what is accepted")
        }
    }
}

struct SMSTextTests {
    @Test func shortGSMTextIsOnePart() {
        let sms = SMSText("Pengingat: kunjungi Ibu S. (KWL-2026-0042) hari ini. Biaya 0 rupiah @ kantor desa.", maxParts: 3)
        #expect(sms.encoding == .gsm7)
        #expect(sms.parts.count == 1)
        #expect(!sms.truncated)
    }

    @Test func exactly160SeptetsIsOnePartAnd161IsTwo() {
        #expect(SMSText(String(repeating: "a", count: 160), maxParts: 3).parts.count == 1)
        let two = SMSText(String(repeating: "a", count: 161), maxParts: 3)
        #expect(two.parts.map(\.count) == [153, 8])
        // Extension characters cost two septets: 80 of them fill one part.
        #expect(SMSText(String(repeating: "€", count: 80), maxParts: 3).parts.count == 1)
        #expect(SMSText(String(repeating: "€", count: 81), maxParts: 3).parts.count == 2)
        #expect(SMSText(String(repeating: "€", count: 81), maxParts: 3).encoding == .gsm7)
    }

    @Test func nonGSMCharactersMeanUCS2() {
        let sms = SMSText("Terima kasih 🙏 Bu", maxParts: 3)
        #expect(sms.encoding == .ucs2)
        #expect(SMSText(String(repeating: "ā", count: 70), maxParts: 3).parts.count == 1)
        #expect(SMSText(String(repeating: "ā", count: 71), maxParts: 3).parts.map(\.count) == [67, 4])
        // A surrogate pair is never split between parts.
        let emoji = SMSText(String(repeating: "a", count: 66) + "🙏" + String(repeating: "a", count: 10), maxParts: 3)
        #expect(emoji.parts[0].utf16.count == 66)
        #expect(emoji.parts[1].hasPrefix("🙏"))
    }

    @Test func typographicPunctuationStaysGSM() {
        let sms = SMSText("Jangan lupa “kunjungan” – Bu Ni’ah…", maxParts: 1)
        #expect(sms.encoding == .gsm7)
        #expect(sms.text == "Jangan lupa \"kunjungan\" - Bu Ni'ah...")
    }

    @Test func longTextIsCutAtAWordWithAnEllipsis() {
        let words = (1...200).map { "kata\($0)" }.joined(separator: " ")
        let sms = SMSText(words, maxParts: 2)
        #expect(sms.truncated)
        #expect(sms.parts.count == 2)
        #expect(sms.text.hasSuffix("..."))
        let kept = sms.text.dropLast(3)
        #expect(words.hasPrefix(kept + " "), "cut after a whole word: \(kept.suffix(20))")
        #expect(sms.text.count > 2 * 153 - 12, "little room wasted")
        #expect(sms.text.count <= 2 * 153)

        let unicode = SMSText(String(repeating: "kabar ā ", count: 60), maxParts: 1)
        #expect(unicode.encoding == .ucs2)
        #expect(unicode.parts.count == 1)
        #expect(unicode.text.hasSuffix("ā…") || unicode.text.hasSuffix("kabar…"))
        #expect(unicode.text.utf16.count <= 70)
    }

    @Test func oneLongWordIsCutHard() {
        let sms = SMSText(String(repeating: "x", count: 400), maxParts: 1)
        #expect(sms.text == String(repeating: "x", count: 157) + "...")
    }
}

struct GammuOutboxTests {
    @Test func fileNamesFollowTheFilesBackend() {
        let date = Date(timeIntervalSince1970: 1_796_086_800)
        let name = GammuOutbox.fileName(number: "+6281234567890", messageID: "r-1842_2026/12", priority: "C", date: date)
        #expect(name.hasPrefix("OUTC2026120"))
        let fields = name.dropFirst(4).split(separator: "_")
        #expect(fields.count == 5)
        #expect(fields[0].count == 8 && fields[1].count == 6 && fields[2] == "00" && fields[3] == "+6281234567890")
        #expect(fields[4] == "r-1842-2026-12.txt")
    }

    @Test func contentIsUTF16WithAByteOrderMark() {
        #expect(GammuOutbox.content("Aé🙏") == [0xFE, 0xFF, 0x00, 0x41, 0x00, 0xE9, 0xD8, 0x3D, 0xDE, 0x4F])
    }

    @Test func enqueueIsAtomicAndFindsItsMessageAgain() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outbox = GammuOutbox(folder: folder)
        #expect(outbox.queued(messageID: "r-1") == nil)
        let path = try outbox.enqueue(text: "Halo", to: "+6281234567890", messageID: "r-1", priority: "B", date: Date())
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [URL(fileURLWithPath: path).lastPathComponent])
        #expect(outbox.queued(messageID: "r-1") == path)
        #expect(outbox.queued(messageID: "r-2") == nil)
        #expect(Array(FileManager.default.contents(atPath: path)!) == GammuOutbox.content("Halo"))
    }

    /// gammu-smsd runs as another user, in the outbox's group: under the plugin unit's UMask=0077 the
    /// message must still be readable by the group (the system test found it was not).
    @Test func aQueuedMessageIsReadableByGammusGroupWhateverTheUmask() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let previous = umask(0o077)
        defer { umask(previous) }
        let path = try GammuOutbox(folder: folder).enqueue(text: "Halo", to: "+6281234567890", messageID: "r-1", priority: "C", date: Date())
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o640)
    }
}
