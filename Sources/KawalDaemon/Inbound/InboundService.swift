import Crypto
import Foundation
import KawalContracts
import KawalDomain
import KawalStore
import Logging

/// Handlers' messages from their phones: each is stored once, read as a command (`InboundParser`),
/// carried out as the handler who sent it (with exactly a handler's rights on the control socket:
/// their own cases, and those of the handlers they supervise), and answered at once and exactly
/// once through the notifier of the channel it came on.
struct InboundService: Sendable {
    let store: Store
    let scheduler: Scheduler
    let composer: MessageComposer
    let reminders: ReminderService
    let settings: InboundSettings
    /// Handler code → PIN, for offices that ask for one (`[inbound] pin_file`).
    let pins: [String: String]
    let logger: Logger

    var parser: InboundParser { InboundParser(vocabulary: InboundVocabulary(aliases: settings.aliases)) }

    /// Takes in one message and answers once it is stored and its reply queued.
    func receive(_ message: InboundMessage) async throws -> InboundReceipt {
        let now = store.time.now()
        guard InboundMessage.channels.contains(message.channel) else {
            throw InboundError(field: "channel", message: "expected \(InboundMessage.channels.joined(separator: " or "))")
        }
        let sender = message.sender.trimmingCharacters(in: .whitespaces)
        guard !sender.isEmpty, sender.count <= 100 else { throw InboundError(field: "sender", message: "expected a phone number or a gateway identity of at most 100 characters") }
        guard message.text.utf8.count <= 4096 else { throw InboundError(field: "text", message: "longer than 4096 bytes: no SMS or chat command is that long") }
        let phone = (try? Store.normalizePhone(sender)) ?? nil
        let senderKey = Self.hash("\(message.channel)\u{0}\(phone ?? sender)")
        let receivedAt = message.receivedAt ?? now
        let dedupeKey = message.gatewayID.map { "\(message.channel):\($0)" }
            ?? "hash:" + Self.hash("\(message.channel)\u{0}\(phone ?? sender)\u{0}\(message.text)\u{0}\(Milliseconds.of(receivedAt))")
        let intake = try await store.takeInbound(dedupeKey: dedupeKey, channel: message.channel, senderKey: senderKey, phone: phone,
                                                 identityHandler: settings.identities[sender], text: message.text, receivedAt: receivedAt,
                                                 rateWindow: settings.rateLimit.window, unknownReplyWindow: settings.unknownReplyEvery)
        let id = intake.record.id!
        if intake.duplicate {
            logger.info("inbound message delivered again: not processed twice", metadata: ["kawal.inbound": "\(id)"])
            return InboundReceipt(id: id, duplicate: true, outcome: intake.record.outcome?.rawValue ?? "pending", replyQueued: false)
        }
        let address = phone ?? sender
        guard let handler = intake.handler else {
            // Logged without the number: it may be anyone's.
            logger.notice("message from an unknown sender", metadata: ["kawal.inbound": "\(id)", "kawal.channel": "\(message.channel)"])
            let answer = intake.unknownAnsweredRecently ? nil : reply("unknown_sender", [:], language: "id", to: address, handler: nil, message: message, id: id, now: now)
            return try await finish(id, command: nil, outcome: .unknownSender, detail: nil, reply: answer, actor: nil)
        }
        let actor = Self.actor(handler, supervises: intake.supervises, channel: message.channel)
        let language = handler.language
        guard settings.rateLimit.allows(recentCount: intake.recentCount) else {
            logger.warning("inbound messages over the rate limit", metadata: ["kawal.inbound": "\(id)", "kawal.handler": "\(handler.code)"])
            // One reply when the limit is reached, then silence.
            let answer = intake.recentCount == settings.rateLimit.limit
                ? reply("rate_limited", [:], language: language, to: address, handler: handler, message: message, id: id, now: now) : nil
            return try await finish(id, command: nil, outcome: .rateLimited, detail: nil, reply: answer, actor: actor)
        }
        var decision: Decision
        do {
            let parsed = try parser.parse(message.text, expectsPIN: pins[handler.code] != nil)
            if let expected = pins[handler.code], parsed.pin != expected {
                decision = Decision(command: parsed.command.name, outcome: .refused, detail: "wrong PIN", reply: "wrong_pin", context: [:])
            } else {
                decision = await carryOut(parsed.command, actor: actor, handler: handler, inboundID: id, language: language)
            }
        } catch {
            decision = Self.unreadable(error, language: language, templates: composer.templates)
        }
        logger.info("inbound message read", metadata: [
            "kawal.inbound": "\(id)", "kawal.handler": "\(handler.code)", "kawal.command": "\(decision.command?.rawValue ?? "-")",
            "kawal.outcome": "\(decision.outcome)",
        ])
        let answer = reply(decision.reply, decision.context, language: language, to: address, handler: handler, message: message, id: id, now: now)
        return try await finish(id, command: decision.command, outcome: decision.outcome, detail: decision.detail, reply: answer, actor: actor)
    }

    /// What a message came to, and the reply to send.
    struct Decision {
        var command: InboundCommandName?
        var outcome: InboundOutcome
        var detail: String?
        var reply: String
        var context: [String: Any]
    }

    private func finish(_ id: Int64, command: InboundCommandName?, outcome: InboundOutcome, detail: String?,
                        reply: (message: OutgoingMessage, text: String)?, actor: Actor?) async throws -> InboundReceipt {
        let (record, job) = try await store.finishInbound(id: id, command: command, outcome: outcome, detail: detail, reply: reply?.message,
                                                          replyText: reply?.text, actor: actor)
        if let job { await scheduler.schedule(job.id, kind: job.kind, at: job.dueAt) }
        return InboundReceipt(id: id, duplicate: false, outcome: outcome.rawValue, replyQueued: record.replyJobID != nil)
    }

    /// The handler as an actor: a handler's rights, labelled with the channel the command came by.
    static func actor(_ handler: HandlerRecord, supervises: [Int64], channel: String) -> Actor {
        var actor = Actor(uid: 0, pid: 0, role: .handler, handlerID: handler.id, label: "handler \(handler.code) via \(channel)")
        actor.supervises = supervises
        return actor
    }

    static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Replies

    /// The reply as a notify job for the sender, on the channel the message came by, due now: the
    /// handler has just written, so quiet hours do not hold it.
    func reply(_ key: String, _ context: [String: Any], language: String, to address: String, handler: HandlerRecord?, message: InboundMessage,
               id: Int64, now: Date) -> (message: OutgoingMessage, text: String)? {
        // KASUS arrives rendered (its lines fitted into two SMS).
        let text = key == "cases_text" ? (context["text"] as? String ?? "") : composer.templates.reply(key, language: language, context)
        guard !text.isEmpty else { return nil }
        // A sender known by a chat identity is answered at it (the gateway routes it); a phone is a phone.
        let isPhone = (try? Store.normalizePhone(address)) != nil
        let payload = NotifyPayload(messageID: "i-\(id)", purpose: "reply", language: MessageTemplates.languages.contains(language) ? language : "id",
                                    to: .init(handler: handler.map { String($0.id!) } ?? "unknown", name: handler.map { Store.firstName($0.name) },
                                              phone: isPhone ? address : nil, identity: isPhone ? nil : address),
                                    subject: "Kawal", text: text, caseCodes: context["case_code"].map { ["\($0)"] } ?? [],
                                    createdAt: ISO8601DateFormatter().string(from: now))
        return (OutgoingMessage(messageID: "i-\(id)", channel: message.channel, payload: WireJSON.text(payload), dueAt: now), text)
    }

    /// The reply to a message that could not be read: what was wrong and what would work.
    static func unreadable(_ error: any Error, language: String, templates: MessageTemplates) -> Decision {
        guard let failure = error as? InboundParseFailure else {
            return Decision(command: nil, outcome: .unreadable, detail: "\(error)", reply: "failed", context: [:])
        }
        func keyword(_ name: InboundCommandName) -> String { (language == "en" ? name.english : name.indonesian)[0] }
        func example(_ name: InboundCommandName) -> String { templates.reply("example_\(name.rawValue)", language: language, [:]) }
        switch failure {
        case .empty: return Decision(command: nil, outcome: .unreadable, detail: "empty", reply: "empty", context: [:])
        case .unknownCommand(let word, let suggestion):
            return Decision(command: nil, outcome: .unreadable, detail: "no such command", reply: "unknown_command",
                            context: ["word": String(word.prefix(20)), "suggestion": suggestion as Any])
        case .missingNumber(let name):
            return Decision(command: name, outcome: .unreadable, detail: "no number", reply: "missing_number",
                            context: ["command": keyword(name), "example": example(name)])
        case .badNumber(let name, let word):
            return Decision(command: name, outcome: .unreadable, detail: "not a number", reply: "bad_number",
                            context: ["command": keyword(name), "word": String(word.prefix(20)), "example": example(name)])
        case .badWhen(let number, let text):
            return Decision(command: .postpone, outcome: .unreadable, detail: "followup/\(number): unknown time", reply: "bad_when",
                            context: ["number": number, "when": String(text.prefix(30))])
        case .badReferralStatus: return Decision(command: .referral, outcome: .unreadable, detail: "no status", reply: "bad_status", context: [:])
        case .incompleteComplaint: return Decision(command: .complaint, outcome: .unreadable, detail: "incomplete", reply: "incomplete_complaint", context: [:])
        case .missingPIN(let name):
            let takesNumber = [.done, .missed, .postpone, .referral].contains(name)
            return Decision(command: name, outcome: .refused, detail: "no PIN", reply: "missing_pin",
                            context: ["command": keyword(name), "example": takesNumber ? example(name) : "", "takes_number": takesNumber])
        }
    }
}

/// A message kawald cannot take (io.kawal.Inbound.InvalidMessage).
struct InboundError: Error, CustomStringConvertible {
    var field: String
    var message: String

    var description: String { "\(field): \(message)" }
}
