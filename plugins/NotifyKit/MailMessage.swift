import ArgumentParser
import Foundation

/// A plain-text e-mail as RFC 5322 and MIME (RFC 2045–2047) want it: UTF-8 headers as encoded-words,
/// a quoted-printable or 8bit body, a Message-ID that stays the same across attempts.
///
/// ```swift
/// let mail = MailMessage(from: .init(address: "kawal@lsm.example.org", name: "Kawal"),
///                        to: .init(address: "wayan@example.org", name: "Wayan"),
///                        subject: "Pengingat tindak lanjut KWL-2026-0042", text: "Halo Wayan, …",
///                        messageID: "r-1842-20261201T0100", domain: "lsm.example.org", date: Date())
/// let bytes = mail.rendered()   // hand to sendmail
/// ```
public struct MailMessage: Sendable {
    public struct Mailbox: Sendable, Equatable {
        public var address: String
        public var name: String?

        public init(address: String, name: String? = nil) {
            self.address = address
            self.name = name
        }
    }

    public enum TransferEncoding: String, Sendable, CaseIterable {
        case quotedPrintable = "quoted-printable"
        case eightBit = "8bit"
    }

    public var from: Mailbox
    public var to: Mailbox
    public var subject: String
    public var text: String
    public var messageID: String
    public var domain: String
    public var date: Date
    public var timeZone: TimeZone
    public var language: String?
    public var transferEncoding: TransferEncoding
    /// Extra headers (ASCII names, values encoded as needed).
    public var extraHeaders: [(String, String)]

    public init(from: Mailbox, to: Mailbox, subject: String, text: String, messageID: String, domain: String, date: Date,
                timeZone: TimeZone = .current, language: String? = nil, transferEncoding: TransferEncoding = .quotedPrintable,
                extraHeaders: [(String, String)] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.messageID = messageID
        self.domain = domain
        self.date = date
        self.timeZone = timeZone
        self.language = language
        self.transferEncoding = transferEncoding
        self.extraHeaders = extraHeaders
    }

    /// The message with `lineEnding` between lines: "\n" for a local sendmail (the Unix convention), "\r\n" on the wire.
    public func rendered(lineEnding: String = "\n") -> String {
        let lines = bodyLines()
        var headers: [(String, String)] = [
            ("From", Self.mailbox(from)),
            ("To", Self.mailbox(to)),
            ("Subject", Self.encodedText(Self.oneLine(subject))),
            ("Date", Self.rfc5322Date(date, timeZone: timeZone)),
            ("Message-ID", "<\(Self.messageIDLocalPart(messageID))@\(domain)>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", lines.encoding.rawValue),
        ]
        if let language { headers.append(("Content-Language", language)) }
        // RFC 3834: automatic messages; auto-responders should not answer them.
        headers.append(("Auto-Submitted", "auto-generated"))
        headers += extraHeaders.map { ($0.0, Self.encodedText(Self.oneLine($0.1))) }
        var output = ""
        for (name, value) in headers {
            output += Self.fold("\(name): \(value)").joined(separator: lineEnding) + lineEnding
        }
        output += lineEnding
        output += lines.lines.joined(separator: lineEnding) + lineEnding
        return output
    }

    /// The body's lines in the chosen encoding; 8bit falls back to quoted-printable for lines longer than 998 octets.
    func bodyLines() -> (encoding: TransferEncoding, lines: [String]) {
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalised.components(separatedBy: "\n")
        while lines.count > 1, lines.last == "" { lines.removeLast() }
        if transferEncoding == .eightBit, lines.allSatisfy({ $0.utf8.count <= 998 }) {
            return (.eightBit, lines)
        }
        return (.quotedPrintable, lines.flatMap(Self.quotedPrintable))
    }

    // MARK: Headers

    static func oneLine(_ text: String) -> String {
        text.components(separatedBy: .newlines).joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } && !text.contains("=?")
    }

    /// An unstructured header value (RFC 2047 section 5 (1)): as is when printable ASCII, else UTF-8
    /// B encoded-words (at most 75 characters each, RFC 2047 says; ours have 64), each holding whole characters.
    static func encodedText(_ text: String) -> String {
        if isPlainASCII(text) { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        // 39 octets make 52 base64 characters, a word of 64: "Subject: " and one word fit a 78-character line.
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: " ")
    }

    /// `Name <address>`: the name as a quoted-string when ASCII, as encoded-words when not.
    static func mailbox(_ mailbox: Mailbox) -> String {
        guard let rawName = mailbox.name.map(oneLine), !rawName.isEmpty else { return mailbox.address }
        let name: String
        if isPlainASCII(rawName) {
            let atext = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-/=?^_`{|}~ "))
            if rawName.unicodeScalars.allSatisfy({ atext.contains($0) }) {
                name = rawName
            } else {
                name = "\"" + rawName.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
        } else {
            name = encodedText(rawName)
        }
        return "\(name) <\(mailbox.address)>"
    }

    /// Header lines folded at spaces to at most 78 characters where possible (RFC 5322 section 2.2.3).
    static func fold(_ line: String) -> [String] {
        guard line.count > 78 else { return [line] }
        var result: [String] = []
        var current = ""
        for (index, word) in line.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            // The header name keeps its first word on its line (an empty first line is legal but confuses readers).
            if index <= 1 {
                current = index == 0 ? String(word) : current + " " + word
            } else if current.count + 1 + word.count > 78, !current.trimmingCharacters(in: .whitespaces).isEmpty {
                result.append(current)
                current = " " + word
            } else {
                current += " " + word
            }
        }
        result.append(current)
        return result
    }

    /// RFC 5322 section 3.3: `Tue, 01 Dec 2026 09:00:00 +0800`.
    public static func rfc5322Date(_ date: Date, timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss xx"
        return formatter.string(from: date)
    }

    /// Kawal's message id as a dot-atom: letters, digits, '-' and '_' stay; anything else becomes `=XX` (its UTF-8 octets).
    static func messageIDLocalPart(_ id: String) -> String {
        var result = ""
        for byte in id.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, CharacterSet.alphanumerics.contains(scalar) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") {
                result.unicodeScalars.append(scalar)
            } else {
                result += String(format: "=%02X", byte)
            }
        }
        return result
    }

    // MARK: Body

    /// One line of text as quoted-printable lines (RFC 2045 section 6.7): soft breaks keep each at most 76 characters.
    static func quotedPrintable(_ line: String) -> [String] {
        var tokens: [String] = []
        let bytes = Array(line.utf8)
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let printable = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
            let whitespaceInside = (byte == 0x20 || byte == 0x09) && !isLast
            tokens.append(printable || whitespaceInside ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte))
        }
        var lines: [String] = []
        var current = ""
        for token in tokens {
            // 75 characters and a soft break "=" make 76.
            if current.count + token.count > 75 {
                lines.append(current + "=")
                current = ""
            }
            current += token
        }
        lines.append(current)
        // A lone "." ends the input of a sendmail run without -i: encoded, so that no mailer can cut the message there.
        return lines.map { $0 == "." ? "=2E" : $0 }
    }

    /// A plausible single address: `local@domain`, no spaces, controls or brackets. Full RFC 5321
    /// checking is the mailer's job; this keeps header injection and obvious typos out.
    public static func isPlausibleAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 1, address.utf8.count <= 254 else { return false }
        let forbidden = CharacterSet.whitespacesAndNewlines.union(.controlCharacters).union(CharacterSet(charactersIn: "<>()[]\\,;:\""))
        guard address.unicodeScalars.allSatisfy({ !forbidden.contains($0) }) else { return false }
        let domain = parts[1]
        return !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..") && !parts[0].hasPrefix("-")
    }
}

extension MailMessage.TransferEncoding: ExpressibleByArgument {}
