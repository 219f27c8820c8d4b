import Foundation
import KawalCore
import KawalDomain
import KawalStore
import Varlink

/// io.kawal.Messages: the messages handlers sent, how each was read, and the reply.
struct MessagesAPI: Sendable {
    let records: RecordsAPI
    var store: Store { records.store }

    func inbound(_ view: InboundView) -> JSONValue {
        let r = view.record
        return [
            "id": .int(r.id!), "channel": .string(r.channel), "received_at": .string(store.time.display(r.receivedAt)),
            "handler": view.handlerCode.json, "command": r.command.json, "outcome": .string(r.outcome?.rawValue ?? "pending"),
            "detail": r.detail.json, "reply": r.reply.json, "text": r.text.json,
        ]
    }

    var methods: [String: VarlinkMethodImplementation<Caller>] {
        [
            "ListInbound": records.method { p, actor in
                let since = try p.string("since").map { try store.time.moment($0, field: "since") }
                let messages = try await store.inboundMessages(handler: p.string("handler"), since: since,
                                                               outcome: try p.choice("outcome", as: InboundOutcome.self),
                                                               limit: p.int("limit").map(Int.init), actor: actor)
                return ["messages": .array(messages.map(inbound))]
            },
        ]
    }
}
