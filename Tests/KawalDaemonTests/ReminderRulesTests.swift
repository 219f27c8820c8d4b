import Foundation
import KawalDomain
@testable import KawalStore
import KawalTesting
import Testing
import Varlink
@testable import KawalDaemon

/// Plans and reminder settings from kawald.toml, the templates, and what the composer puts in a message.
@Suite struct ReminderRulesTests {
    static let templates = SourceTree.path("templates")

    @Test func plansAndReminderSettingsAreRead() throws {
        let config = try Configuration.parse("""
            [reminders]
            enabled = true
            escalate_after = "2d"
            lead = "12h"
            quiet_hours = "20:30-06:00"
            digest_at = "06:30"

            [plans.dukcapil]
            types = ["document"]
            subtypes = ["akta_lahir"]
            on = "referral"
            service = "dukcapil"
            kind = "check_outcome"
            first = "7d"

            [alerts]
            handlers = ["budi"]
            email = ["kantor@example.org"]
            """, file: "k.toml")
        let rules = config.reminders.rules
        #expect(rules.enabled)
        #expect(rules.escalateAfter == 172_800)
        #expect(rules.lead == 43_200)
        #expect(rules.quietHours == DayWindow(start: 20 * 3600 + 1800, end: 6 * 3600))
        #expect(rules.digestAt == 6 * 3600 + 1800)
        #expect(rules.plans.map(\.name) == ["dukcapil"], "plans in the file replace the shipped ones")
        #expect(rules.plans[0].on == .referral(service: "dukcapil"))
        #expect(rules.plans[0].matches(type: .document, subtype: "akta_lahir", risk: .low, urgentSafety: false))
        #expect(!rules.plans[0].matches(type: .document, subtype: "ktp", risk: .low, urgentSafety: false))
        #expect(config.reminders.alertHandlers == ["budi"])
        #expect(config.reminders.alertEmails == ["kantor@example.org"])
    }

    @Test func shippedPlansCoverTheSeedsWork() {
        let plans = ReminderRules().plans
        func plan(_ type: CaseType, subtype: String? = nil, urgent: Bool = false) -> [String] {
            plans.filter { $0.matches(type: type, subtype: subtype, risk: .high, urgentSafety: urgent) }.map(\.name)
        }
        #expect(plan(.violence, urgent: true) == ["violence"], "one plan for an urgent violence case, not two")
        #expect(plan(.childMarriage) == ["child-marriage"])
        #expect(plan(.document, subtype: "akta_lahir") == ["civil-documents"])
        #expect(plan(.bpjs) == ["bpjs"])
        #expect(plan(.bpjs, urgent: true) == ["bpjs", "urgent-safety"])
        let violence = plans.first { $0.name == "violence" }!
        #expect(violence.first == 86_400 && violence.every == 3 * 86_400)
    }

    @Test(arguments: [
        ("[plans.x]\non = \"open\"\n", "k.toml:1: plans.x: a plan needs 'first'"),
        ("[plans.x]\nfirst = \"1d\"\non = \"sometimes\"\n", "k.toml:3: plans.x.on: 'sometimes' is not an occasion: expected open, referral or transition"),
        ("[plans.x]\nfirst = \"1d\"\ntypes = [\"theft\"]\n", "k.toml:3: plans.x.types: 'theft' is not a case type"),
        ("[reminders]\nquiet_hours = \"late\"\n", "k.toml:2: reminders.quiet_hours: 'late' is not a window"),
        ("[reminders]\ndigest_at = \"25:00\"\n", "k.toml:2: reminders.digest_at: '25:00' is not a time of day"),
    ])
    func badReminderSettingsNameTheLine(text: String, expected: String) {
        #expect(throws: ConfigurationError.self) { try Configuration.parse(text, file: "k.toml") }
        do {
            _ = try Configuration.parse(text, file: "k.toml")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error)")
        }
    }

    @Test func everyShippedTemplateLoadsAndABrokenOneNamesItsLine() throws {
        _ = try MessageTemplates.load(directory: Self.templates, override: nil)
        let override = NSTemporaryDirectory() + "/kawal-templates-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: override + "/id", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: override) }
        try "Kawal: {{kind}}\n{{#items}}{{case_code}}\n{{/item}}\n".write(toFile: override + "/id/digest.sms.mustache", atomically: true, encoding: .utf8)
        do {
            _ = try MessageTemplates.load(directory: Self.templates, override: override)
            Issue.record("a broken template was accepted")
        } catch {
            #expect(error.description.hasPrefix(override + "/id/digest.sms.mustache:3:"), "\(error)")
        }
    }

    func composer(quiet: DayWindow?) throws -> MessageComposer {
        var rules = ReminderRules()
        rules.quietHours = quiet
        return MessageComposer(templates: try MessageTemplates.load(directory: Self.templates, override: nil),
                               time: TimeContext(zone: TimeZone(identifier: "Asia/Makassar")!), rules: rules, alertEmails: [], alertPhones: [])
    }

    static func wita(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text + "+08:00")!
    }

    @Test func smsInsideQuietHoursIsHeldUntilTheyEnd() throws {
        let composer = try composer(quiet: DayWindow(parsing: "21:00-07:00"))
        let quiet = DayWindow(parsing: "21:00-07:00")!
        #expect(composer.releaseTime(Self.wita("2026-12-01T23:30:00"), quiet: quiet) == Self.wita("2026-12-02T07:00:00"))
        #expect(composer.releaseTime(Self.wita("2026-12-02T03:00:00"), quiet: quiet) == Self.wita("2026-12-02T07:00:00"))
        #expect(composer.releaseTime(Self.wita("2026-12-02T12:00:00"), quiet: quiet) == Self.wita("2026-12-02T12:00:00"))
    }

    @Test func quietHoursMayWrapPastMidnight() throws {
        let night = try #require(DayWindow(parsing: "21:00-07:00"))
        #expect(night.contains(secondOfDay: 23 * 3600) && night.contains(secondOfDay: 3600) && !night.contains(secondOfDay: 7 * 3600))
        let lunch = try #require(DayWindow(parsing: "12:00-13:30:15"))
        #expect(lunch.contains(secondOfDay: 12 * 3600) && !lunch.contains(secondOfDay: 13 * 3600 + 1815))
        #expect(lunch.description == "12:00-13:30:15")
        #expect(DayWindow(parsing: "07:00-07:00") == nil && DayWindow(parsing: "7-8") == nil && DayWindow(parsing: "24:00-01:00") == nil)
    }

    @Test func aReminderCarriesTheCodeAndFirstNameOnly() throws {
        let composer = try composer(quiet: nil)
        var handler = HandlerRecord(id: 12, code: "wayan", name: "Wayan Sudarma", unixUser: nil, phone: "+6281234567890", email: "wayan@example.org",
                                    language: "id", villages: [], supervisorID: nil, active: true, version: 1, createdAt: Date(), updatedAt: Date())
        var settings = HandlerNotifySettings()
        settings.channels = [ChannelConsent(channel: "sms", consentAt: Date(), method: "written", recordedBy: "admin")]
        let item = ReminderItem(reminderID: 1842, followUpID: 7, rule: .due, caseCode: "K-2026-0042", firstName: "Siti", followUpKind: "visit",
                                dueAt: Self.wita("2026-12-01T09:00:00"), handlerName: "Wayan")
        let batch = ReminderBatch(fireKey: "remind:1842", purpose: .reminder, messageBase: "r-1842-20261201T0100",
                                  recipients: [ReminderRecipient(handler: handler, settings: settings)], toAdmins: false, items: [item])
        let sms = try #require(composer.messages(for: batch, now: Self.wita("2026-12-01T08:00:00")).first)
        #expect(sms.idempotencyKey == "notify:r-1842-20261201T0100:sms")
        let payload = try JSONValue(parsing: sms.payload)
        #expect(payload["text"] == "Kawal: kunjungan K-2026-0042 (Siti) 01-12-2026 09:00 WITA. Balas: SELESAI 7 <catatan>")
        #expect(payload["to"]?["phone"] == "+6281234567890" && payload["to"]?["email"] == nil)
        handler.language = "en"
        let english = composer.messages(for: ReminderBatch(fireKey: batch.fireKey, purpose: .reminder, messageBase: batch.messageBase,
                                                           recipients: [ReminderRecipient(handler: handler, settings: settings)], toAdmins: false,
                                                           items: [item]), now: Self.wita("2026-12-01T08:00:00"))
        #expect(try JSONValue(parsing: english[0].payload)["text"] == "Kawal: visit K-2026-0042 (Siti) 01-12-2026 09:00 WITA. Reply: DONE 7 <note>")
    }
}
