import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The arguments a plugin runs with: the words of `$KAWAL_PLUGIN_ARGS`, then its own command line.
///
/// A plugin kawald starts gets its arguments from `args = [...]` in kawald.toml. A plugin that runs
/// as its own unit, `kawal-plugin@NAME.service`, gets them from the admin's
/// `/etc/kawal/plugins/NAME.conf`, which systemd reads (as root, so it may be 0600) into the
/// environment:
///
/// ```
/// KAWAL_PLUGIN_ARGS="--from 'Kawal LSM <kawal@lsm.example.org>' --sendmail /usr/bin/msmtp"
/// ```
///
/// The words split as a shell would split them: whitespace separates, '…' keeps everything,
/// "…" keeps everything but \" and \\, and a backslash outside quotes keeps the next character.
public enum PluginArguments {
    public static let environmentVariable = "KAWAL_PLUGIN_ARGS"

    /// The words of `$KAWAL_PLUGIN_ARGS` followed by `arguments`.
    public static func merged(environment: [String: String] = ProcessInfo.processInfo.environment,
                              arguments: [String] = Array(CommandLine.arguments.dropFirst())) throws(PluginArgumentsError) -> [String] {
        guard let text = environment[environmentVariable] else { return arguments }
        return try words(text) + arguments
    }

    /// `merged()`, or exits 2 with the reason on stderr: a plugin cannot start on arguments it cannot read.
    public static func mergedOrExit() -> [String] {
        do {
            return try merged()
        } catch {
            let name = ProcessInfo.processInfo.environment["KAWAL_PLUGIN_NAME"] ?? "NAME"
            KawalPlugin.log("\(environmentVariable) (from /etc/kawal/plugins/\(name).conf): \(error)", level: .error)
            exit(2)
        }
    }

    /// Splits `text` into words as a POSIX shell would, without expansions.
    public static func words(_ text: String) throws(PluginArgumentsError) -> [String] {
        enum Quote { case none, single, double }
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote = Quote.none
        var quoteStart = 0
        var escaped = false
        for (column, character) in text.enumerated() {
            if escaped {
                if quote == .double && character != "\"" && character != "\\" { word.append("\\") }
                word.append(character)
                escaped = false
                continue
            }
            switch quote {
            case .single:
                if character == "'" { quote = .none } else { word.append(character) }
            case .double:
                if character == "\"" { quote = .none } else if character == "\\" { escaped = true } else { word.append(character) }
            case .none:
                if character == " " || character == "\t" || character == "\n" {
                    if inWord { words.append(word) }
                    word = ""
                    inWord = false
                    continue
                }
                inWord = true
                switch character {
                case "'": quote = .single; quoteStart = column + 1
                case "\"": quote = .double; quoteStart = column + 1
                case "\\": escaped = true
                default: word.append(character)
                }
            }
        }
        if escaped { throw PluginArgumentsError(message: "a backslash at the end has nothing to keep; write \\\\ for a backslash") }
        switch quote {
        case .single: throw PluginArgumentsError(message: "the ' quote opened at column \(quoteStart) is not closed")
        case .double: throw PluginArgumentsError(message: "the \" quote opened at column \(quoteStart) is not closed")
        case .none: break
        }
        if inWord { words.append(word) }
        return words
    }
}

public struct PluginArgumentsError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
