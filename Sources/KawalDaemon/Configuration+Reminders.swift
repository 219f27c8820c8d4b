import KawalDomain
import KawalStore
import TOMLKit

/// `[reminders]`, `[plans.NAME]` and `[alerts]`: follow-up plans, how reminders go out, and who
/// hears about failures.
///
/// ```toml
/// [reminders]
/// enabled = true
/// escalate_after = "3d"
/// quiet_hours = "21:00-07:00"
/// digest_at = "07:00"
///
/// [plans.violence]
/// types = ["violence"]
/// on = "open"
/// kind = "visit"
/// first = "24h"
/// every = "3d"
///
/// [alerts]
/// handlers = ["budi"]
/// email = ["kantor@example.org"]
/// ```
public struct ReminderSettings: Sendable, Equatable {
    public var rules = ReminderRules()
    /// Where the message templates are; nil: the installed /usr/share/kawal/templates, else the
    /// source tree's templates/ next to a development build.
    public var templatesDirectory: String?
    /// Templates here win over the shipped ones, file by file (local wording).
    public var overrideDirectory = "/etc/kawal/templates"
    /// Handler codes that receive admin alerts and escalations that have no supervisor.
    public var alertHandlers: [String] = []
    public var alertEmails: [String] = []
    public var alertPhones: [String] = []

    public init() {}
}

extension Configuration {
    static let reminderTables = ["reminders", "plans", "alerts"]

    static func parseReminders(_ table: TOMLTable, _ reader: TableReader, into config: inout Configuration) throws(ConfigurationError) {
        var settings = ReminderSettings()
        if let section = try reader.table(table, "reminders", known: ["enabled", "templates_dir", "template_override_dir", "escalate_after",
                                                                    "quiet_hours", "digest_at", "staleness_window", "lead"]) {
            if let enabled = section["enabled"] {
                guard let value = enabled.bool else { throw reader.error("reminders", "enabled", "expected true or false") }
                settings.rules.enabled = value
            }
            if let value = try reader.path(section, "reminders", "templates_dir") { settings.templatesDirectory = value }
            if let value = try reader.path(section, "reminders", "template_override_dir") { settings.overrideDirectory = value }
            if let text = try reader.string(section, "reminders", "escalate_after") {
                if text == "never" {
                    settings.rules.escalateAfter = nil
                } else {
                    settings.rules.escalateAfter = try reader.duration(section, "reminders", "escalate_after")
                }
            }
            if let text = try reader.string(section, "reminders", "quiet_hours") {
                if text.isEmpty {
                    settings.rules.quietHours = nil
                } else {
                    guard let window = DayWindow(parsing: text) else {
                        throw reader.error("reminders", "quiet_hours", "'\(text)' is not a window: expected HH:MM-HH:MM such as \"21:00-07:00\", or \"\" for none")
                    }
                    settings.rules.quietHours = window
                }
            }
            if let text = try reader.string(section, "reminders", "digest_at") {
                guard let second = DayWindow.secondOfDay(text) else {
                    throw reader.error("reminders", "digest_at", "'\(text)' is not a time of day: expected HH:MM such as \"07:00\"")
                }
                settings.rules.digestAt = second
            }
            if let value = try reader.duration(section, "reminders", "staleness_window") { settings.rules.stalenessWindow = value }
            if let text = try reader.string(section, "reminders", "lead") {
                settings.rules.lead = text == "0" ? 0 : try reader.duration(section, "reminders", "lead") ?? 0
            }
        }
        if let plans = table["plans"] {
            guard let plans = plans.table else { throw reader.error("plans", "", "expected tables [plans.NAME]") }
            // Plans in the file replace the shipped ones as a whole: what the file says is what runs.
            settings.rules.plans = []
            for name in plans.keys.sorted() {
                settings.rules.plans.append(try parsePlan(name, plans, reader))
            }
        }
        if let alerts = try reader.table(table, "alerts", known: ["handlers", "email", "phone"]) {
            settings.alertHandlers = try reader.strings(alerts, "alerts", "handlers") ?? []
            settings.alertEmails = try reader.strings(alerts, "alerts", "email") ?? []
            settings.alertPhones = try reader.strings(alerts, "alerts", "phone") ?? []
        }
        config.reminders = settings
    }

    static func parsePlan(_ name: String, _ plans: TOMLTable, _ reader: TableReader) throws(ConfigurationError) -> FollowUpPlan {
        let section = "plans.\(name)"
        guard isValidGroupName(name) else {
            throw reader.error(section, "", "'\(name)' is not a plan name: expected lower-case letters, digits, '-' and '_'")
        }
        guard let table = try reader.table(plans, section, key: name, known: ["types", "subtypes", "risks", "urgent", "on", "service", "status",
                                                                            "kind", "first", "every"]) else {
            throw reader.error(section, "", "expected a table")
        }
        let occasion: FollowUpPlan.Occasion
        switch try reader.string(table, section, "on") ?? "open" {
        case "open": occasion = .open
        case "referral": occasion = .referral(service: try reader.string(table, section, "service"))
        case "transition":
            guard let name = try reader.string(table, section, "status"), let status = CaseStatus(rawValue: name) else {
                throw reader.error(section, "status", "a plan on transition names the status: one of \(CaseStatus.valueList)")
            }
            occasion = .transition(status: status)
        case let other:
            throw reader.error(section, "on", "'\(other)' is not an occasion: expected open, referral or transition")
        }
        let kindName = try reader.string(table, section, "kind") ?? FollowUpKind.visit.rawValue
        guard let kind = FollowUpKind(rawValue: kindName) else {
            throw reader.error(section, "kind", "'\(kindName)' is not a follow-up kind: expected one of \(FollowUpKind.valueList)")
        }
        guard let first = try reader.duration(table, section, "first") else {
            throw reader.error(section, "", "a plan needs 'first': when the first follow-up is due after the occasion, e.g. \"24h\" or \"7d\"")
        }
        var plan = FollowUpPlan(name: name, on: occasion, kind: kind, first: first)
        plan.every = try reader.duration(table, section, "every")
        plan.types = try (reader.strings(table, section, "types") ?? []).map { name throws(ConfigurationError) in
            guard let type = CaseType(rawValue: name) else {
                throw reader.error(section, "types", "'\(name)' is not a case type: expected \(CaseType.valueList)")
            }
            return type
        }
        plan.subtypes = try reader.strings(table, section, "subtypes") ?? []
        plan.risks = try (reader.strings(table, section, "risks") ?? []).map { name throws(ConfigurationError) in
            guard let risk = RiskLevel(rawValue: name) else {
                throw reader.error(section, "risks", "'\(name)' is not a risk level: expected \(RiskLevel.valueList)")
            }
            return risk
        }
        if let urgent = table["urgent"] {
            guard let value = urgent.bool else { throw reader.error(section, "urgent", "expected true or false") }
            plan.urgent = value
        }
        return plan
    }
}
