import Crypto
import Foundation

/// An age X25519 recipient: the public key a backup is encrypted to, written `age1…`.
///
/// ```swift
/// let recipient = try AgeRecipient(parsing: "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p")
/// ```
public struct AgeRecipient: Sendable, Hashable, CustomStringConvertible {
    public let publicKey: [UInt8]

    public init(parsing text: String) throws(AgeError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let (prefix, data) = Bech32.decode(trimmed), prefix == "age", data.count == 32, trimmed == trimmed.lowercased() else {
            throw .keyInvalid("'\(trimmed.prefix(70))' is not an age X25519 recipient: expected a lower-case 'age1…' public key as age-keygen prints it")
        }
        publicKey = data
    }

    init(publicKey: [UInt8]) { self.publicKey = publicKey }

    /// The `age1…` text.
    public var description: String { Bech32.encode(prefix: "age", data: publicKey) }
}

/// An age X25519 identity: the secret key that opens backups, written `AGE-SECRET-KEY-1…`.
/// Kawal never stores one; `kawalctl backup restore|verify --identity FILE` reads it for one run.
public struct AgeIdentity: Sendable {
    /// The 32-byte X25519 scalar (swift-crypto's key type is not Sendable).
    let secret: [UInt8]
    var privateKey: Curve25519.KeyAgreement.PrivateKey { try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: secret) }

    public init(parsing text: String) throws(AgeError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let (prefix, data) = Bech32.decode(trimmed), prefix == "age-secret-key-", data.count == 32,
              (try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: data)) != nil else {
            throw .keyInvalid("not an age X25519 identity: expected an 'AGE-SECRET-KEY-1…' line as age-keygen writes it")
        }
        secret = data
    }

    /// A new random identity.
    public static func generate() -> AgeIdentity { AgeIdentity(key: Curve25519.KeyAgreement.PrivateKey()) }

    private init(key: Curve25519.KeyAgreement.PrivateKey) { secret = Array(key.rawRepresentation) }

    /// The identities in an age identity file (age-keygen's format): one `AGE-SECRET-KEY-1…` a line,
    /// `#` comments and blank lines ignored. `file` names the file in errors.
    public static func parseFile(_ text: String, file: String) throws(AgeError) -> [AgeIdentity] {
        var identities: [AgeIdentity] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("#") { continue }
            do {
                identities.append(try AgeIdentity(parsing: content))
            } catch {
                throw .keyInvalid("\(file):\(number + 1): not an age X25519 identity: expected an 'AGE-SECRET-KEY-1…' line as age-keygen writes it (passphrase and plugin identities are not supported)")
            }
        }
        guard !identities.isEmpty else { throw .keyInvalid("\(file): no 'AGE-SECRET-KEY-1…' line found; make one with age-keygen -o \(file)") }
        return identities
    }

    /// The `AGE-SECRET-KEY-1…` text.
    public var secretKeyText: String { Bech32.encode(prefix: "age-secret-key-", data: secret).uppercased() }

    public var recipient: AgeRecipient { AgeRecipient(publicKey: Array(privateKey.publicKey.rawRepresentation)) }
}

/// The X25519 recipient stanza: `-> X25519 <ephemeral share>` and the wrapped file key.
enum X25519Stanza {
    static let label = Array("age-encryption.org/v1/X25519".utf8)

    static func wrap(fileKey: [UInt8], to recipient: AgeRecipient) throws -> AgeStanza {
        let ephemeral = Curve25519.KeyAgreement.PrivateKey()
        let share = Array(ephemeral.publicKey.rawRepresentation)
        let shared = try ephemeral.sharedSecretFromKeyAgreement(with: Curve25519.KeyAgreement.PublicKey(rawRepresentation: recipient.publicKey))
        let key = shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: share + recipient.publicKey, sharedInfo: label, outputByteCount: 32)
        let sealed = try ChaChaPoly.seal(fileKey, using: key, nonce: ChaChaPoly.Nonce(data: [UInt8](repeating: 0, count: 12)))
        return AgeStanza(type: "X25519", arguments: [AgeBase64.encode(share)], body: Array(sealed.ciphertext) + Array(sealed.tag))
    }

    /// The file key, or nil when this stanza is not for `identity`; throws for a malformed stanza.
    static func unwrap(_ stanza: AgeStanza, with identity: AgeIdentity) throws(AgeError) -> [UInt8]? {
        guard stanza.arguments.count == 1, let share = AgeBase64.decode(Array(stanza.arguments[0].utf8)), share.count == 32 else {
            throw .headerInvalid("an X25519 stanza needs exactly one argument, a 32-byte share")
        }
        guard stanza.body.count == 32 else { throw .headerInvalid("an X25519 stanza's body must be 32 bytes, not \(stanza.body.count)") }
        guard let peer = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: share),
              let shared = try? identity.privateKey.sharedSecretFromKeyAgreement(with: peer) else {
            throw .headerInvalid("the X25519 share is not a usable public key")
        }
        let isZero = shared.withUnsafeBytes { $0.allSatisfy { $0 == 0 } }
        guard !isZero else { throw .headerInvalid("the X25519 share is a low-order point") }
        let recipient = Array(identity.privateKey.publicKey.rawRepresentation)
        let key = shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: share + recipient, sharedInfo: label, outputByteCount: 32)
        guard let box = try? ChaChaPoly.SealedBox(combined: [UInt8](repeating: 0, count: 12) + stanza.body),
              let fileKey = try? ChaChaPoly.open(box, using: key) else {
            return nil
        }
        return Array(fileKey)
    }
}
