import Foundation
import NotifyKit
import Testing

struct MailMessageTests {
    let date = Date(timeIntervalSince1970: 1_796_086_800)  // 2026-12-01 01:00:00 UTC

    func message(subject: String = "Pengingat tindak lanjut KWL-2026-0042", text: String = "Halo Wayan,\nsilakan kunjungi.",
                 name: String? = "Wayan", encoding: MailMessage.TransferEncoding = .quotedPrintable) -> MailMessage {
        MailMessage(from: .init(address: "kawal@lsm.example.org", name: "Kawal LSM"), to: .init(address: "wayan@example.org", name: name),
                    subject: subject, text: text, messageID: "r-1842-20261201T0100", domain: "lsm.example.org", date: date,
                    timeZone: TimeZone(identifier: "Asia/Makassar")!, language: "id", transferEncoding: encoding)
    }

    func headers(_ rendered: String) -> [String: String] {
        let head = rendered.components(separatedBy: "\n\n")[0].replacingOccurrences(of: "\n ", with: " ")
        var result: [String: String] = [:]
        for line in head.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            result[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    @Test func headersFollowRFC5322() {
        let h = headers(message().rendered())
        #expect(h["From"] == "Kawal LSM <kawal@lsm.example.org>")
        #expect(h["To"] == "Wayan <wayan@example.org>")
        #expect(h["Subject"] == "Pengingat tindak lanjut KWL-2026-0042")
        #expect(h["Date"] == "Tue, 01 Dec 2026 09:00:00 +0800")
        #expect(h["Message-ID"] == "<r-1842-20261201T0100@lsm.example.org>")
        #expect(h["MIME-Version"] == "1.0")
        #expect(h["Content-Type"] == "text/plain; charset=utf-8")
        #expect(h["Content-Transfer-Encoding"] == "quoted-printable")
        #expect(h["Auto-Submitted"] == "auto-generated")
    }

    @Test func utf8SubjectBecomesEncodedWordsOfWholeCharacters() {
        let subject = "Pengingat: kunjungan ke Dusun Ñagé — 3 kasus menunggu tindak lanjut minggu ini ✓"
        let rendered = message(subject: subject).rendered()
        let folded = rendered.components(separatedBy: "\n\n")[0].split(separator: "\n")
        #expect(folded.allSatisfy { $0.count <= 78 }, "header lines are folded")
        let value = headers(rendered)["Subject"]!
        let words = value.split(separator: " ")
        #expect(words.allSatisfy { $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") && $0.count <= 75 })
        #expect(folded.first { $0.hasPrefix("Subject:") }?.hasPrefix("Subject: =?UTF-8?B?") == true, "the first word stays on the name's line")
        // Each word decodes on its own (no character split across words) and together they give the subject.
        let decoded = words.map { word -> String in
            let base64 = word.dropFirst(10).dropLast(2)
            return String(data: Data(base64Encoded: String(base64))!, encoding: .utf8)!
        }.joined()
        #expect(decoded == subject)
    }

    @Test func quotedPrintableBodyKeepsLinesShortAndRoundTrips() {
        let text = "Halo Bu Ni Luh Ayu,\nKasus KWL-2026-0042 perlu ditindaklanjuti: " + String(repeating: "périksa dokumen akta kelahiran anak ", count: 4) + "\n.\nSalam = Kawal  "
        let rendered = message(text: text).rendered()
        let body = rendered.components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n")
        #expect(body.split(separator: "\n").allSatisfy { $0.count <= 76 })
        #expect(body.contains("=C3=A9"), "é as UTF-8 octets")
        #expect(body.contains("\n=2E\n"), "a lone dot is encoded")
        #expect(Self.decodeQuotedPrintable(body) == text + "\n")
    }

    @Test func eightBitBodyIsTheTextWithLineEndings() {
        let rendered = message(text: "Terima kasih, Ibu Ñoman.\r\nSampai jumpa", encoding: .eightBit).rendered(lineEnding: "\r\n")
        #expect(rendered.contains("Content-Transfer-Encoding: 8bit\r\n"))
        #expect(rendered.hasSuffix("\r\n\r\nTerima kasih, Ibu Ñoman.\r\nSampai jumpa\r\n"))
    }

    @Test func namesWithSpecialsAreQuotedOrEncoded() {
        #expect(headers(message(name: "Wayan \"Yan\" P.").rendered())["To"] == "\"Wayan \\\"Yan\\\" P.\" <wayan@example.org>")
        #expect(headers(message(name: "Baiq Ñurul").rendered())["To"] == "=?UTF-8?B?QmFpcSDDkXVydWw=?= <wayan@example.org>")
        #expect(headers(message(name: nil).rendered())["To"] == "wayan@example.org")
    }

    @Test func headerInjectionIsImpossible() {
        let rendered = message(subject: "Hi\nBcc: victim@example.org", name: "X\r\nBcc: other@example.org").rendered()
        #expect(!rendered.contains("\nBcc:"))
    }

    @Test func messageIDsAreDotAtoms() {
        let h = headers(MailMessage(from: .init(address: "a@b.org"), to: .init(address: "c@d.org"), subject: "s", text: "t",
                                    messageID: "digest 12/ä", domain: "b.org", date: date).rendered())
        #expect(h["Message-ID"] == "<digest=2012=2F=C3=A4@b.org>")
    }

    @Test func plausibleAddresses() {
        #expect(MailMessage.isPlausibleAddress("wayan@example.org"))
        #expect(MailMessage.isPlausibleAddress("ni.luh+kawal@desa.lombok.id"))
        for bad in ["", "wayan", "@example.org", "wayan@", "a@b@c", "wayan @example.org", "w<a>@x.org", "a@b.org\nBcc: c@d.org", "a@.org", "-oQ@x.org"] {
            #expect(!MailMessage.isPlausibleAddress(bad), "\(bad)")
        }
    }

    static func decodeQuotedPrintable(_ body: String) -> String {
        let utf8 = Array(body.replacingOccurrences(of: "=\n", with: "").utf8)
        var bytes: [UInt8] = []
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "="), i + 2 < utf8.count,
               let value = UInt8(String(decoding: utf8[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
