import Foundation
import KawalDomain
import TOMLKit

/// `[inbound]`: how kawald reads the messages handlers send from their phones.
///
/// ```toml
/// [inbound]
/// enabled = true
/// rate_limit = 20              # messages per sender …
/// rate_window = "1h"           # … within this window
/// unknown_reply_every = "24h"  # at most one reply to an unknown number in this time
/// pin_file = "/etc/kawal/inbound-pins"   # `handler = PIN` lines, mode 0600; handlers listed must add their PIN
///
/// [inbound.aliases]            # words an office adds, for a command
/// BERES = "done"
///
/// [inbound.identities]         # chat gateway identities that are not phone numbers
/// "tg:123456789" = "ani"
/// ```
public struct InboundSettings: Sendable, Equatable {
    public var enabled = true
    public var aliases: [String: InboundCommandName] = [:]
    /// Gateway identity → handler code.
    public var identities: [String: String] = [:]
    public var pinFile: String?
    public var rateLimit = SenderRateLimit()
    public var unknownReplyEvery: TimeInterval = 86_400

    public init() {}

    /// `handler = PIN` lines from the PIN file; the file must not be readable by others (it is a secret).
    public func loadPINs() throws -> [String: String] {
        guard let pinFile else { return [:] }
        var info = stat()
        guard stat(pinFile, &info) == 0 else { throw ConfigurationError(file: pinFile, line: 0, key: "", message: "cannot be read: \(String(cString: strerror(errno)))") }
        guard info.st_mode & 0o007 == 0 else {
            throw ConfigurationError(file: pinFile, line: 0, key: "", message: "is readable by everyone; PINs are secrets: chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: pinFile, encoding: .utf8) else {
            throw ConfigurationError(file: pinFile, line: 0, key: "", message: "cannot be read as UTF-8 text")
        }
        var pins: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, (4...8).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw ConfigurationError(file: pinFile, line: index + 1, key: "", message: "expected 'handler = PIN' with a PIN of 4 to 8 digits, e.g. 'ani = 4321'")
            }
            pins[parts[0]] = parts[1]
        }
        return pins
    }
}

extension Configuration {
    static func parseInbound(_ table: TOMLTable, _ reader: TableReader, into config: inout Configuration) throws(ConfigurationError) {
        var settings = InboundSettings()
        guard let section = try reader.table(table, "inbound", known: ["enabled", "rate_limit", "rate_window", "unknown_reply_every", "pin_file",
                                                                      "aliases", "identities"]) else { return }
        if let enabled = section["enabled"] {
            guard let value = enabled.bool else { throw reader.error("inbound", "enabled", "expected true or false") }
            settings.enabled = value
        }
        if let limit = section["rate_limit"] {
            guard let value = limit.int, (1...10_000).contains(value) else { throw reader.error("inbound", "rate_limit", "expected a number of messages from 1 to 10000") }
            settings.rateLimit.limit = value
        }
        if let value = try reader.duration(section, "inbound", "rate_window") { settings.rateLimit.window = value }
        if let value = try reader.duration(section, "inbound", "unknown_reply_every") { settings.unknownReplyEvery = value }
        if let value = try reader.path(section, "inbound", "pin_file") { settings.pinFile = value }
        if let aliases = section["aliases"] {
            guard let aliases = aliases.table else { throw reader.error("inbound.aliases", "", "expected a table of WORD = \"command\"") }
            for word in aliases.keys.sorted() {
                guard let name = aliases[word]?.string.flatMap(InboundCommandName.init(rawValue:)) else {
                    throw reader.error("inbound.aliases", word, "expected one of \(InboundCommandName.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard !word.isEmpty, word.allSatisfy({ $0.isLetter }) else { throw reader.error("inbound.aliases", word, "an alias is one word of letters") }
                settings.aliases[word] = name
            }
        }
        if let identities = section["identities"] {
            guard let identities = identities.table else { throw reader.error("inbound.identities", "", "expected a table of \"identity\" = \"handler code\"") }
            for identity in identities.keys.sorted() {
                guard let code = identities[identity]?.string, !code.isEmpty else { throw reader.error("inbound.identities", identity, "expected a handler code") }
                settings.identities[identity] = code
            }
        }
        config.inbound = settings
    }
}
