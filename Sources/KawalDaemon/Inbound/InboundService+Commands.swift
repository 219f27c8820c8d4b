import Foundation
import KawalDomain
import KawalStore

/// Each command carried out through the store as the handler: the store applies the handler's
/// rights, so a follow-up of another handler's case is "not found", exactly as on the control socket.
extension InboundService {
    func carryOut(_ command: InboundCommand, actor: Actor, handler: HandlerRecord, inboundID: Int64, language: String) async -> Decision {
        let name = command.name
        func keyword() -> String { (language == "en" ? name.english : name.indonesian)[0] }
        do {
            switch command {
            case .help:
                return Decision(command: name, outcome: .done, detail: nil, reply: "help", context: [:])
            case .done(let id, let note):
                let before = try await store.followUp(id: id, actor: actor)
                let (view, _) = try await store.recordFollowUp(id: id, version: nil, status: FollowUpStatus.done.rawValue, outcome: note, contactMade: true,
                                                               notes: nil, retryDue: nil, actor: actor)
                var context = try await followUpContext(view, language: language, actor: actor)
                // A repeating plan planned its next visit: say when.
                let next = try await store.followUps(overdue: false, dueWithin: nil, caseID: view.record.caseID, handler: nil, limit: 1, after: nil, actor: actor)
                if let upcoming = next.items.first, upcoming.record.id != before.record.id { context["next_due"] = composer.shortShown(upcoming.record.dueAt) }
                return Decision(command: name, outcome: .done, detail: "followup/\(id) done", reply: "done", context: context)
            case .missed(let id, let reason):
                _ = try await store.followUp(id: id, actor: actor)
                let (view, retry) = try await store.recordFollowUp(id: id, version: nil, status: FollowUpStatus.missed.rawValue, outcome: reason,
                                                                   contactMade: false, notes: nil, retryDue: "today", actor: actor)
                var context = try await followUpContext(view, language: language, actor: actor)
                context["retry_id"] = retry?.record.id ?? id
                return Decision(command: name, outcome: .done, detail: "followup/\(id) missed", reply: "missed", context: context)
            case .postpone(let id, let when):
                let current = try await store.followUp(id: id, actor: actor)
                guard current.record.status == .planned else {
                    return Decision(command: name, outcome: .refused, detail: "followup/\(id) is \(current.record.status)", reply: "already",
                                    context: ["command": keyword(), "number": id, "status": current.record.status.rawValue])
                }
                guard let due = when.resolve(now: store.time.now(), keepingTimeOf: current.record.dueAt, calendar: store.time.calendar) else {
                    return Decision(command: name, outcome: .refused, detail: "followup/\(id): the time has passed", reply: "past_date",
                                    context: ["number": id, "when": Self.spoken(when)])
                }
                let moved = try await store.moveFollowUp(id: id, to: due, note: "TUNDA via \(actor.label)", actor: actor)
                var context = try await followUpContext(moved, language: language, actor: actor)
                context["due"] = composer.shortShown(due)
                return Decision(command: name, outcome: .done, detail: "followup/\(id) moved", reply: "postponed", context: context)
            case .cases:
                return try await cases(actor: actor, language: language)
            case .referral(let id, let status, let reference):
                let view = try await store.updateReferral(id: id, version: nil, status: status.rawValue, externalRef: reference, deadline: nil,
                                                          notes: nil, actor: actor)
                let shown = composer.templates.reply("status_\(status.rawValue)", language: language, [:])
                return Decision(command: name, outcome: .done, detail: "referral/\(id) \(status)", reply: "referral",
                                context: ["referral_id": id, "status": shown, "case_code": view.caseCode])
            case .complaint(let village, let type, let story):
                let kase = try await openComplaint(village: village, type: type, story: story, handler: handler, actor: actor, inboundID: inboundID)
                _ = await reminders.raiseAlert(kind: "new_complaint", facts: [("kasus", kase.record.code), ("aduan", "A-\(inboundID)"), ("desa", village),
                                                                               ("jenis", type.rawValue), ("pendamping", handler.code)],
                                               key: "inbound\(inboundID)")
                return Decision(command: name, outcome: .done, detail: "complaint: case/\(kase.record.code) \(type)", reply: "complaint",
                                context: ["inbound_id": inboundID, "case_code": kase.record.code])
            }
        } catch StoreError.notFound {
            return Decision(command: name, outcome: .refused, detail: "not found in the sender's cases", reply: "not_found",
                            context: ["command": keyword(), "number": Self.number(of: command) ?? 0])
        } catch let StoreError.invalid(field, message) where field == "status" {
            return Decision(command: name, outcome: .refused, detail: message, reply: "already",
                            context: ["command": keyword(), "number": Self.number(of: command) ?? 0, "status": message.split(separator: " ").last.map(String.init) ?? ""])
        } catch {
            logger.error("inbound command failed: \(error)", metadata: ["kawal.inbound": "\(inboundID)", "kawal.command": "\(name)"])
            return Decision(command: name, outcome: .refused, detail: "failed inside kawald", reply: "failed", context: [:])
        }
    }

    /// BARU: a case in status new, about a person still to be recorded (a placeholder the
    /// administrators complete), handled and reported by the sender, its story the summary. The
    /// plans answer its opening, so a violence or child-marriage complaint gets its 24-hour visit.
    /// kawald opens it (handlers open no cases), on the sender's behalf, as the audit log says.
    func openComplaint(village: String, type: CaseType, story: String, handler: HandlerRecord, actor: Actor, inboundID: Int64) async throws -> CaseView {
        let opener = Actor(uid: 0, pid: Int64(getpid()), role: .admin, handlerID: nil, label: "kawald for \(actor.label), complaint A-\(inboundID)")
        let (person, _) = try await store.addPerson(PersonInput(name: "(belum diisi) aduan A-\(inboundID)", village: village,
                                                                notes: "Dibuat dari aduan A-\(inboundID): lengkapi nama, NIK dan data lain."),
                                                    force: true, actor: opener)
        let reporter = Reporter(name: handler.name, relation: "pendamping", phone: handler.phone, confidential: false, anonymous: false)
        return try await store.openCase(CaseInput(personID: person.id, type: type.rawValue, village: village, summary: story,
                                                  notes: "Aduan lewat pesan A-\(inboundID) dari pendamping \(handler.code): lengkapi data orang "
                                                      + "(kawalctl person update \(person.id!) …) dan kasus.",
                                                  reporter: reporter, handler: handler.code),
                                        actor: opener)
    }

    static func number(of command: InboundCommand) -> Int64? {
        switch command {
        case .done(let id, _), .missed(let id, _), .postpone(let id, _), .referral(let id, _, _): return id
        case .cases, .complaint, .help: return nil
        }
    }

    /// What a reply may say about a follow-up: the same as a reminder (code, first name, kind, due).
    func followUpContext(_ view: FollowUpView, language: String, actor: Actor) async throws -> [String: Any] {
        let firstName = try await store.firstName(ofCase: view.record.caseID)
        return ["followup_id": view.record.id!, "kind": composer.templates.label(view.record.kind, language: language), "case_code": view.caseCode,
                "first_name": firstName, "due": composer.shortShown(view.record.dueAt)]
    }

    /// KASUS: the sender's planned follow-ups, soonest first, fitted into two SMS.
    func cases(actor: Actor, language: String) async throws -> Decision {
        let page = try await store.followUps(overdue: false, dueWithin: nil, caseID: nil, handler: nil, limit: 30, after: nil, actor: actor)
        guard !page.items.isEmpty else { return Decision(command: .cases, outcome: .done, detail: "none open", reply: "cases_none", context: [:]) }
        var lines: [String] = []
        let now = store.time.now()
        for view in page.items {
            var context = try await followUpContext(view, language: language, actor: actor)
            context["overdue"] = view.record.dueAt < now
            lines.append(composer.templates.reply("case_line", language: language, context))
        }
        let header = composer.templates.reply("cases_header", language: language, ["count": page.items.count])
        let text = fitIntoSMS(header: header, lines: lines, more: { composer.templates.reply("cases_more", language: language, ["count": $0]) })
        return Decision(command: .cases, outcome: .done, detail: "\(page.items.count) listed", reply: "cases_text", context: ["text": text])
    }

    /// A postponement as the handler wrote it, for the reply.
    static func spoken(_ when: WhenSpec) -> String {
        switch when {
        case .tomorrow: return "besok"
        case .dayAfterTomorrow: return "lusa"
        case .inDays(let days): return "\(days)h"
        case .weekday(let day): return ["minggu", "senin", "selasa", "rabu", "kamis", "jumat", "sabtu"][max(0, min(6, day - 1))]
        case .date(let day, let month, let year, let hour, let minute):
            func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
            let date = pad(day) + "/" + pad(month) + (year.map { "/\($0)" } ?? "")
            guard let hour else { return date }
            return date + " " + (hour < 10 ? "0\(hour)" : "\(hour)") + ":" + ((minute ?? 0) < 10 ? "0\(minute ?? 0)" : "\(minute ?? 0)")
        }
    }
}
