import Foundation
import Mustache

/// The message templates: `LANG/PURPOSE.VARIANT.mustache` files (swift-mustache), plain text,
/// with the follow-up kinds' names in `LANG/labels.txt`. Files in the override folder replace the
/// shipped ones of the same name.
///
/// ```swift
/// let templates = try MessageTemplates.load(directory: "/usr/share/kawal/templates", override: "/etc/kawal/templates")
/// let text = templates.render("reminder", variant: "sms", language: "id", ["case_code": "K-2026-0042"])
/// ```
struct MessageTemplates: Sendable {
    static let languages = ["id", "en"]
    static let purposes = ["reminder", "digest", "late", "escalation", "alert", "test"]
    static let variants = ["subject", "email", "sms"]
    static let installedDirectory = "/usr/share/kawal/templates"

    let directory: String
    private let templates: [String: MustacheTemplate]
    private let labels: [String: [String: String]]
    /// `LANG/replies.txt`: the replies to handlers' messages, each a one-line template.
    private var replies: [String: [String: MustacheTemplate]] = [:]

    /// The reply keys every language must have (docs/inbound.md).
    static let replyKeys = ["done", "missed", "postponed", "cases_header", "case_line", "cases_more", "cases_none", "referral", "complaint",
                            "help", "not_found", "already", "past_date", "bad_when", "unknown_command", "missing_number", "bad_number",
                            "bad_status", "incomplete_complaint", "missing_pin", "wrong_pin", "empty", "unknown_sender", "rate_limited",
                            "failed", "example_done", "example_missed", "example_postpone", "example_referral", "status_accepted",
                            "status_rejected", "status_done"]

    /// A template that cannot be used, and where: `templates/id/reminder.sms.mustache:2:14: …`.
    struct LoadError: Error, CustomStringConvertible {
        var file: String
        var line: Int
        var column: Int
        var message: String

        var description: String {
            line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
        }
    }

    static func load(directory: String, override: String?) throws(LoadError) -> MessageTemplates {
        var templates: [String: MustacheTemplate] = [:]
        var labels: [String: [String: String]] = [:]
        var replies: [String: [String: MustacheTemplate]] = [:]
        for language in languages {
            for purpose in purposes {
                for variant in variants {
                    let name = "\(language)/\(purpose).\(variant)"
                    let file = [override, directory].compactMap { $0 }.map { "\($0)/\(name).mustache" }
                        .first { FileManager.default.fileExists(atPath: $0) }
                    guard let file else {
                        throw LoadError(file: "\(directory)/\(name).mustache", line: 0, column: 0,
                                        message: "missing: every language needs \(purposes.joined(separator: ", ")) in the variants \(variants.joined(separator: ", "))")
                    }
                    templates[name] = try parse(file)
                }
            }
            let labelFile = [override, directory].compactMap { $0 }.map { "\($0)/\(language)/labels.txt" }
                .first { FileManager.default.fileExists(atPath: $0) } ?? "\(directory)/\(language)/labels.txt"
            labels[language] = try parseLabels(labelFile)
            let replyFile = [override, directory].compactMap { $0 }.map { "\($0)/\(language)/replies.txt" }
                .first { FileManager.default.fileExists(atPath: $0) } ?? "\(directory)/\(language)/replies.txt"
            replies[language] = try parseReplies(replyFile)
        }
        var loaded = MessageTemplates(directory: directory, templates: templates, labels: labels)
        loaded.replies = replies
        return loaded
    }

    static func parse(_ file: String) throws(LoadError) -> MustacheTemplate {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw LoadError(file: file, line: 0, column: 0, message: "cannot be read as UTF-8 text")
        }
        // Messages are plain text, not HTML: nothing is escaped. The pragma shares the first line,
        // so line numbers in errors stay those of the file.
        let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
        do {
            return try MustacheTemplate(string: "{{%CONTENT_TYPE:TEXT}}" + body)
        } catch let error as MustacheTemplate.ParserError {
            let column = error.context.lineNumber == 1 ? max(1, error.context.columnNumber - 22) : error.context.columnNumber
            throw LoadError(file: file, line: error.context.lineNumber, column: column, message: "\(error.error) in \"\(error.context.line)\"")
        } catch {
            throw LoadError(file: file, line: 0, column: 0, message: "\(error)")
        }
    }

    /// `key = value` lines; `#` starts a comment.
    static func parseLabels(_ file: String) throws(LoadError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw LoadError(file: file, line: 0, column: 0, message: "missing or unreadable: it names the follow-up kinds (visit = kunjungan)")
        }
        var labels: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw LoadError(file: file, line: index + 1, column: 1, message: "expected 'key = label', e.g. 'visit = kunjungan'")
            }
            labels[parts[0]] = parts[1]
        }
        return labels
    }

    /// `key = template` lines, every key of `replyKeys` present; an error names the file and line.
    static func parseReplies(_ file: String) throws(LoadError) -> [String: MustacheTemplate] {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw LoadError(file: file, line: 0, column: 0, message: "missing or unreadable: it holds the replies to handlers' messages (done = SELESAI … dicatat)")
        }
        var replies: [String: MustacheTemplate] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw LoadError(file: file, line: index + 1, column: 1, message: "expected 'key = reply', e.g. 'wrong_pin = PIN salah.'")
            }
            do {
                replies[parts[0]] = try MustacheTemplate(string: "{{%CONTENT_TYPE:TEXT}}" + parts[1])
            } catch {
                throw LoadError(file: file, line: index + 1, column: 1, message: "\(error)")
            }
        }
        if let missing = replyKeys.first(where: { replies[$0] == nil }) {
            throw LoadError(file: file, line: 0, column: 0, message: "has no '\(missing)': every language needs \(replyKeys.joined(separator: ", "))")
        }
        return replies
    }

    /// A reply to a handler's message, in their language (Indonesian when it has none).
    func reply(_ key: String, language: String, _ context: [String: Any]) -> String {
        let language = Self.languages.contains(language) ? language : "id"
        guard let template = replies[language]?[key] ?? replies["id"]?[key] else { return "" }
        return template.render(context).trimmingCharacters(in: .whitespaces)
    }

    /// The rendered text, trailing blank space trimmed.
    func render(_ purpose: String, variant: String, language: String, _ context: [String: Any]) -> String {
        let language = Self.languages.contains(language) ? language : "id"
        guard let template = templates["\(language)/\(purpose).\(variant)"] else { return "" }
        var text = template.render(context)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }

    func label(_ key: String, language: String) -> String {
        labels[language]?[key] ?? labels["id"]?[key] ?? key
    }

    /// The installed folder, else the source tree's `templates/` above a development build of kawald.
    static func defaultDirectory() -> String {
        if FileManager.default.fileExists(atPath: installedDirectory + "/id/reminder.email.mustache") { return installedDirectory }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("templates").path
            if FileManager.default.fileExists(atPath: candidate + "/id/reminder.email.mustache") { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return installedDirectory
    }
}
