/// Why an age file could not be read or written. The cases follow the outcomes of the age test
/// vectors (header failure, HMAC failure, no match, payload failure), so that a test can check them.
public enum AgeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The header is malformed: what is wrong with it.
    case headerInvalid(String)
    /// The header MAC does not match: the header was changed after it was written.
    case headerMACMismatch
    /// None of the identities opens any of the file's X25519 stanzas.
    case noMatchingIdentity(stanzas: Int)
    /// The payload is damaged: a chunk fails authentication, the file is truncated or has bytes after its end.
    case payloadInvalid(String)
    /// A recipient (`age1…`) or identity (`AGE-SECRET-KEY-1…`) that cannot be parsed.
    case keyInvalid(String)
    /// An ASCII-armored file (`age -a`) that breaks the armor's rules: which one.
    case armorInvalid(String)

    public var description: String {
        switch self {
        case .headerInvalid(let reason): return "not a valid age file: the header is malformed (\(reason))"
        case .headerMACMismatch: return "the age header's MAC does not match: the file was altered or is damaged"
        case .noMatchingIdentity(let stanzas):
            return "none of the given identities can open this file (\(stanzas) X25519 recipient stanza\(stanzas == 1 ? "" : "s")); use the AGE-SECRET-KEY-1… matching one of the recipients it was encrypted to"
        case .payloadInvalid(let reason): return "the encrypted payload is damaged: \(reason)"
        case .keyInvalid(let reason): return reason
        case .armorInvalid(let reason): return "not a valid ASCII-armored age file: \(reason)"
        }
    }
}
