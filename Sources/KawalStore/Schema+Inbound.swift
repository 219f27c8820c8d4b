import GRDB

extension Schema {
    /// v8-inbound: the messages handlers send (SMS, chat gateways), how each was read, and the reply.
    static func createInbound(_ db: Database) throws {
        try db.create(table: "inboundMessage") { t in
            t.autoIncrementedPrimaryKey("id")
            // "sms:GATEWAY-ID", or a hash of sender, text and time: a message delivered twice is kept once.
            t.column("dedupeKey", .text).notNull().unique()
            t.column("channel", .text).notNull()
            // SHA-256 of the normalised sender: rate limits and unknown senders without keeping their number.
            t.column("senderKey", .text).notNull()
            t.column("handlerID", .integer).references("handler", onDelete: .setNull)
            // The message as written; never kept for an unknown sender.
            t.column("text", .text)
            // done, missed, postpone, cases, referral, complaint, help.
            t.column("command", .text)
            // done, refused, unreadable, unknown_sender, rate_limited; null while it is being read.
            t.column("outcome", .text)
            // What was done or why not, without personal data ("followup/1842 done").
            t.column("detail", .text)
            t.column("reply", .text)
            t.column("replyJobID", .integer)
            t.column("receivedAt", .datetime).notNull()
            t.column("createdAt", .datetime).notNull()
        }
        try db.create(index: "inboundMessage_sender", on: "inboundMessage", columns: ["senderKey", "createdAt"])
        try db.create(index: "inboundMessage_handler", on: "inboundMessage", columns: ["handlerID", "createdAt"])
    }
}
