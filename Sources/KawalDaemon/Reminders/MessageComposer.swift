import Foundation
import KawalContracts
import KawalStore

/// Turns reminder batches and alerts into notify jobs' payloads (see the notify contract in
/// docs/reminders.md): one message per recipient on their first consented channel, rendered in
/// their language; SMS held until quiet hours end. Messages name cases by short code and people by
/// first name only; the case type never reaches a template.
struct MessageComposer: Sendable {
    let templates: MessageTemplates
    let time: TimeContext
    let rules: ReminderRules
    let alertEmails: [String]
    let alertPhones: [String]

    /// Someone a message goes to, with the channels usable for them in order.
    struct Addressee {
        var handlerID: String
        var name: String
        var language: String
        var email: String?
        var phone: String?
        var channels: [String]
        var quietHours: DayWindow?
    }

    static func addressee(_ recipient: ReminderRecipient, rules: ReminderRules) -> Addressee {
        let handler = recipient.handler
        let usable = recipient.settings.channels.map(\.channel).filter { channel in
            channel == "email" ? !(handler.email ?? "").isEmpty : !(handler.phone ?? "").isEmpty
        }
        return Addressee(handlerID: String(handler.id ?? 0), name: Store.firstName(handler.name), language: handler.language,
                         email: handler.email, phone: handler.phone, channels: usable,
                         quietHours: recipient.settings.quietHours ?? rules.quietHours)
    }

    /// The configured alert addresses ([alerts] email, phone), as addressees.
    var configuredAdmins: [Addressee] {
        alertEmails.map { Addressee(handlerID: "admin", name: "Admin", language: "id", email: $0, phone: nil, channels: ["email"], quietHours: nil) }
            + alertPhones.map { Addressee(handlerID: "admin", name: "Admin", language: "id", email: nil, phone: $0, channels: ["sms"], quietHours: rules.quietHours) }
    }

    func messages(for batch: ReminderBatch, now: Date) -> [OutgoingMessage] {
        var addressees = batch.recipients.map { Self.addressee($0, rules: rules) }
        if batch.toAdmins { addressees += configuredAdmins }
        var messages: [OutgoingMessage] = []
        for (index, addressee) in addressees.enumerated() {
            guard let channel = addressee.channels.first else { continue }
            let id = addressees.count == 1 ? batch.messageBase : "\(batch.messageBase)-\(index + 1)"
            let context = self.context(batch, language: addressee.language, now: now).merging(["name": addressee.name]) { _, new in new }
            messages.append(message(id: id, purpose: batch.purpose.rawValue, context: context, to: addressee, channel: channel,
                                    caseCodes: Array(Set(batch.items.map(\.caseCode))).sorted(), now: now))
        }
        return messages
    }

    /// What the templates see of a batch: codes, first names, kinds, times; never a case type or a NIK.
    func context(_ batch: ReminderBatch, language: String, now: Date) -> [String: Any] {
        let items: [[String: Any]] = batch.items.map { item in
            let overdueDays = item.dueAt < now ? Int(now.timeIntervalSince(item.dueAt) / 86_400) : 0
            return [
                "case_code": item.caseCode, "first_name": item.firstName, "kind": templates.label(item.followUpKind, language: language),
                "due": shown(item.dueAt), "due_short": shortShown(item.dueAt), "overdue": overdueDays >= 1, "overdue_days": overdueDays,
                "handler": item.handlerName ?? "-", "reminder_id": item.reminderID, "followup_id": item.followUpID,
            ]
        }
        var context = items.first ?? [:]
        context["items"] = items
        context["count"] = items.count
        if let first = batch.items.first { context["followup_id"] = first.followUpID }
        return context
    }

    func message(id: String, purpose: String, context: [String: Any], to addressee: Addressee, channel: String, caseCodes: [String],
                 now: Date) -> OutgoingMessage {
        let payloadPurpose = purpose == "late" ? "digest" : purpose
        let subject = templates.render(purpose, variant: "subject", language: addressee.language, context)
            .split(separator: "\n").first.map(String.init) ?? ""
        let text = templates.render(purpose, variant: channel == "email" ? "email" : "sms", language: addressee.language, context)
        // The channel's address only: an SMS job carries no e-mail address, an e-mail job no phone number.
        let to = NotifyPayload.Recipient(handler: addressee.handlerID, name: addressee.name, email: channel == "email" ? addressee.email : nil,
                                         phone: channel == "email" ? nil : addressee.phone)
        let payload = NotifyPayload(messageID: id, purpose: payloadPurpose,
                                    language: MessageTemplates.languages.contains(addressee.language) ? addressee.language : "id", to: to,
                                    subject: subject, text: text, caseCodes: caseCodes, createdAt: ISO8601DateFormatter().string(from: now))
        var due = now
        if channel == "sms", let quiet = addressee.quietHours { due = releaseTime(now, quiet: quiet) }
        return OutgoingMessage(messageID: id, channel: channel, payload: WireJSON.text(payload), dueAt: due)
    }

    /// `now`, or when quiet hours end if `now` is inside them.
    func releaseTime(_ now: Date, quiet: DayWindow) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = time.zone
        let start = calendar.startOfDay(for: now)
        let second = Int(now.timeIntervalSince(start))
        guard quiet.contains(secondOfDay: second) else { return now }
        let endToday = start.addingTimeInterval(TimeInterval(quiet.end))
        return endToday > now ? endToday : calendar.date(byAdding: .day, value: 1, to: start)!.addingTimeInterval(TimeInterval(quiet.end))
    }

    /// `01-12-2026 09:00 WITA`: the deployment's local time, numbers only (the same in both languages).
    func shown(_ date: Date) -> String {
        let display = time.display(date)
        let day = display.prefix(10).split(separator: "-")
        let clock = display.dropFirst(11).prefix(5)
        return "\(day[2])-\(day[1])-\(day[0]) \(clock) \(zoneLabel)"
    }

    func shortShown(_ date: Date) -> String {
        let display = time.display(date)
        let day = display.prefix(10).split(separator: "-")
        return "\(day[2])/\(day[1]) \(display.dropFirst(11).prefix(5))"
    }

    var zoneLabel: String {
        switch time.zone.identifier {
        case "Asia/Makassar": return "WITA"
        case "Asia/Jakarta", "Asia/Pontianak": return "WIB"
        case "Asia/Jayapura": return "WIT"
        default: return time.zone.identifier
        }
    }

    // MARK: Alerts and tests

    /// An administrator alert to every alert handler and configured address.
    func alertMessages(kind: String, facts: [(String, String)], messageBase: String, admins: [ReminderRecipient], now: Date) -> [OutgoingMessage] {
        let addressees = admins.map { Self.addressee($0, rules: rules) } + configuredAdmins
        let known = ["backup_failed", "backup_overdue", "plugin_failed", "delivery_failed", "backup_offsite_failed"]
        var messages: [OutgoingMessage] = []
        for (index, addressee) in addressees.enumerated() {
            guard let channel = addressee.channels.first else { continue }
            var context: [String: Any] = ["name": addressee.name, "alert_kind": kind, "other": !known.contains(kind),
                                          "facts": facts.map { ["key": $0.0, "value": $0.1] }]
            context[kind] = true
            messages.append(message(id: "\(messageBase)-\(index + 1)", purpose: "alert", context: context, to: addressee, channel: channel,
                                    caseCodes: [], now: now))
        }
        return messages
    }

    /// A test message to a handler on one channel, whatever their consent: the admin asked for it.
    func testMessage(_ recipient: ReminderRecipient, channel: String, now: Date) -> OutgoingMessage? {
        var addressee = Self.addressee(recipient, rules: rules)
        if channel == "email" ? (addressee.email ?? "").isEmpty : (addressee.phone ?? "").isEmpty { return nil }
        addressee.quietHours = nil
        let id = "test-\(addressee.handlerID)-\(Int64(now.timeIntervalSince1970 * 1000))"
        return message(id: id, purpose: "test", context: ["name": addressee.name, "channel": channel], to: addressee, channel: channel,
                       caseCodes: [], now: now)
    }
}
