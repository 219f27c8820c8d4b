import Foundation
import KawalCore
import KawalDomain
import KawalStore
import Varlink

/// io.kawal.Reminders: plans, reminders, handlers' reminder settings, test messages. Administrators only.
struct RemindersAPI: Sendable {
    let records: RecordsAPI
    let reminders: ReminderService
    let composer: MessageComposer
    var store: Store { records.store }

    static func duration(_ seconds: TimeInterval) -> String {
        for (unit, size) in [("w", 604_800.0), ("d", 86_400.0), ("h", 3600.0), ("m", 60.0)] where seconds >= size && seconds.truncatingRemainder(dividingBy: size) == 0 {
            return "\(Int(seconds / size))\(unit)"
        }
        return "\(Int(seconds))s"
    }

    static func plan(_ plan: FollowUpPlan) -> JSONValue {
        [
            "name": .string(plan.name), "types": plan.types.json, "subtypes": plan.subtypes.json, "risks": plan.risks.json,
            "urgent": plan.urgent.json, "on": .string(plan.on.description), "kind": .string(plan.kind.rawValue),
            "first": .string(duration(plan.first)), "every": plan.every.map { .string(duration($0)) } ?? .null,
        ]
    }

    func reminder(_ view: ReminderView) -> JSONValue {
        let time = store.time
        let r = view.record
        return [
            "id": .int(r.id!), "case_code": .string(view.caseCode), "followup_id": .int(r.followUpID), "rule": .string(r.rule.rawValue),
            "due_slot": .string(time.display(r.dueSlot)), "recipient": .string(view.recipientLabel), "state": .string(view.delivery.rawValue),
            "send_at": view.sendAt.map { .string(time.display($0)) } ?? .null, "channel": r.channel.json, "message_id": r.messageID.json,
            "job_id": r.jobID.json, "note": view.lastError.json,
        ]
    }

    func settings(_ recipient: ReminderRecipient) -> JSONValue {
        let s = recipient.settings
        let rules = store.reminderRules
        return [
            "handler": .string(recipient.handler.code),
            "channels": .array(s.channels.map {
                ["channel": .string($0.channel), "consent_at": .string(store.time.display($0.consentAt)), "method": .string($0.method),
                 "recorded_by": .string($0.recordedBy)]
            }),
            "quiet_hours": s.quietHours.map { .string($0.description) } ?? .null,
            "effective_quiet_hours": (s.quietHours ?? rules.quietHours).map { .string($0.description) } ?? .null,
            "delivery": .string(s.delivery.rawValue), "digest_at": .string(DayWindow.clock(s.digestAt ?? rules.digestAt)),
            "language": .string(recipient.handler.language),
        ]
    }

    var methods: [String: VarlinkMethodImplementation<Caller>] {
        [
            "Plans": .immediate { request in
                let type = Parameters(request.parameters).string("type")
                let plans = store.reminderRules.plans.filter { type == nil || $0.types.isEmpty || $0.types.contains { $0.rawValue == type } }
                return ["plans": .array(plans.map(Self.plan))]
            },
            "List": records.method { p, actor in
                let views = try await store.reminders(handler: p.string("handler"), state: try p.choice("state", as: ReminderDelivery.self), caseID: p.int("case_id"),
                                                      limit: p.int("limit").map(Int.init), actor: actor)
                return ["reminders": .array(views.map(reminder))]
            },
            "Preview": records.method { p, actor in
                let batches = try await store.previewReminders(caseID: p.int("case_id"), code: p.string("code"), actor: actor)
                let now = store.time.now()
                let messages = batches.flatMap { composer.messages(for: $0, now: now) }
                return ["messages": .array(messages.map {
                    ["message_id": .string($0.messageID), "kind": .string("notify.\($0.channel)"), "send_at": .string(store.time.display($0.dueAt)),
                     "payload": .string($0.payload)]
                })]
            },
            "SendNow": records.method { p, actor in
                let record = try await store.sendReminderNow(id: try p.requiredInt("id"), actor: actor)
                let view = try await store.reminders(handler: nil, state: nil, caseID: record.caseID, limit: 500, actor: actor)
                    .first { $0.record.id == record.id }
                return ["reminder": view.map(reminder) ?? .null]
            },
            "GetSettings": records.method { p, _ in
                ["settings": settings(try await store.handlerNotify(code: try p.required("handler")))]
            },
            "SetSettings": records.method { p, actor in
                let recipient = try await store.setHandlerNotify(code: try p.required("handler"), channels: p.strings("channels"),
                                                                 consentMethod: p.string("consent_method"), quietHours: p.string("quiet_hours"),
                                                                 delivery: p.string("delivery"), digestAt: p.string("digest_at"), actor: actor)
                return ["settings": settings(recipient)]
            },
            "NotifyTest": .async { request in
                let p = Parameters(request.parameters)
                let (id, messageID) = try await reminders.notifyTest(handler: try p.required("handler"), channel: try p.required("channel"))
                return ["job_id": .int(id), "message_id": .string(messageID)]
            },
        ]
    }
}
