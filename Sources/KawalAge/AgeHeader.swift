import Crypto

/// One recipient stanza of an age header: `-> TYPE ARG…` and a base64 body.
struct AgeStanza: Sendable, Equatable {
    var type: String
    var arguments: [String]
    var body: [UInt8]

    /// The stanza as it appears in the header, lines of 64 base64 characters, the last one shorter (maybe empty).
    var encoded: [UInt8] {
        var out = Array(("-> " + ([type] + arguments).joined(separator: " ") + "\n").utf8)
        let text = Array(AgeBase64.encode(body).utf8)
        var index = 0
        while true {
            let end = min(index + 64, text.count)
            out += text[index..<end] + [0x0A]
            if end - index < 64 { break }
            index = end
        }
        return out
    }
}

/// The age v1 header: the version line, the stanzas, and the MAC over them.
struct AgeHeader {
    static let versionLine = Array("age-encryption.org/v1\n".utf8)
    var stanzas: [AgeStanza]
    var mac: [UInt8]
    /// The header bytes the MAC covers: everything up to and including `---`.
    var macInput: [UInt8]

    static func macKey(fileKey: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: fileKey), salt: [UInt8](), info: Array("header".utf8), outputByteCount: 32)
    }

    /// A new header for `fileKey`, wrapped to each recipient.
    static func make(fileKey: [UInt8], recipients: [AgeRecipient]) throws -> [UInt8] {
        var bytes = versionLine
        for recipient in recipients { bytes += try X25519Stanza.wrap(fileKey: fileKey, to: recipient).encoded }
        bytes += Array("---".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: bytes, using: macKey(fileKey: fileKey))
        bytes += Array((" " + AgeBase64.encode(Array(mac)) + "\n").utf8)
        return bytes
    }

    /// Reads the header from `input`, leaving it at the first byte of the payload.
    static func read(from input: AgeInput) throws -> AgeHeader {
        var consumed: [UInt8] = []
        func line() throws -> [UInt8] {
            guard let line = try input.readLine(limit: 4096) else { throw AgeError.headerInvalid("the file ends inside the header") }
            consumed += line + [0x0A]
            return line
        }
        guard try line() + [0x0A] == versionLine else { throw AgeError.headerInvalid("the first line is not 'age-encryption.org/v1'") }
        var stanzas: [AgeStanza] = []
        var current = try line()
        while true {
            if current.starts(with: Array("---".utf8)) {
                guard current.count > 4, current[3] == 0x20, let mac = AgeBase64.decode(current[4...]), mac.count == 32 else {
                    throw AgeError.headerInvalid("the MAC line is not '--- ' followed by 43 base64 characters")
                }
                return AgeHeader(stanzas: stanzas, mac: mac, macInput: Array(consumed[..<(consumed.count - current.count - 1 + 3)]))
            }
            guard current.starts(with: Array("-> ".utf8)) else { throw AgeError.headerInvalid("expected a stanza ('-> ') or the MAC line ('--- ')") }
            let words = current[3...].split(separator: 0x20, omittingEmptySubsequences: false)
            guard !words.isEmpty, words.allSatisfy({ !$0.isEmpty && $0.allSatisfy { (33...126).contains($0) } }) else {
                throw AgeError.headerInvalid("a stanza line needs a type and arguments of visible ASCII characters separated by single spaces")
            }
            var body: [UInt8] = []
            while true {
                let bodyLine = try line()
                guard bodyLine.count <= 64 else { throw AgeError.headerInvalid("a stanza body line is longer than 64 characters") }
                guard let decoded = AgeBase64.decode(bodyLine) else { throw AgeError.headerInvalid("a stanza body is not canonical unpadded base64") }
                body += decoded
                if bodyLine.count < 64 { break }
            }
            let strings = words.map { String(decoding: $0, as: UTF8.self) }
            stanzas.append(AgeStanza(type: strings[0], arguments: Array(strings.dropFirst()), body: body))
            current = try line()
        }
    }

    /// The file key from the first stanza an identity opens; then the MAC is checked with it.
    func unwrap(with identities: [AgeIdentity]) throws(AgeError) -> [UInt8] {
        var fileKey: [UInt8]?
        let x25519 = stanzas.filter { $0.type == "X25519" }
        search: for stanza in x25519 {
            for identity in identities {
                if let key = try X25519Stanza.unwrap(stanza, with: identity) {
                    fileKey = key
                    break search
                }
            }
        }
        guard let fileKey else { throw .noMatchingIdentity(stanzas: x25519.count) }
        guard fileKey.count == 16 else { throw .headerInvalid("the file key is \(fileKey.count) bytes, not 16") }
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: macInput, using: Self.macKey(fileKey: fileKey)) else {
            throw .headerMACMismatch
        }
        return fileKey
    }
}
