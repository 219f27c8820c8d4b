#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Who a reminder goes to: a handler, or the administrators (the configured alert handlers and
/// addresses). Stored as `handler/ID` or `admins`.
public enum ReminderAddressee: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    case handler(Int64)
    case admins

    public init?(_ stored: String) {
        if stored == "admins" {
            self = .admins
        } else if stored.hasPrefix("handler/"), let id = Int64(stored.dropFirst(8)) {
            self = .handler(id)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .handler(let id): return "handler/\(id)"
        case .admins: return "admins"
        }
    }

    public var handlerID: Int64? {
        if case .handler(let id) = self { return id }
        return nil
    }
}

/// What the reminder decisions read about a handler.
public struct HandlerFacts: Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var active: Bool

    public init(id: Int64, code: String, active: Bool) {
        self.id = id
        self.code = code
        self.active = active
    }
}

/// Why no reminder about a case may go to someone. Its description is what `reminder list` shows.
public enum ReminderRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case remindersOff
    case caseNotOpen(CaseStatus)
    /// UU PDP: while a person's processing is restricted, nobody is reminded about them.
    case processingRestricted
    case handlerInactive(code: String)
    case caseGone
    case followUpRecorded

    public var description: String {
        switch self {
        case .remindersOff: return "reminders are off"
        case .caseNotOpen(let status): return "the case is \(status)"
        case .processingRestricted: return "processing of the person's data is restricted"
        case .handlerInactive(let code): return "handler \(code) is inactive"
        case .caseGone: return "the case is gone"
        case .followUpRecorded: return "the follow-up was recorded"
        }
    }
}

/// "May this case be reminded, to this recipient?" The one decision, taken when reminders are
/// planned and again when they are sent.
public enum ReminderPolicy {
    /// Why reminders about a case in `status` may not go to `recipient` (nil: the administrators), or nil.
    public static func refusal(status: CaseStatus, personRestricted: Bool, recipient: HandlerFacts?, rules: ReminderRules) -> ReminderRefusal? {
        guard rules.enabled else { return .remindersOff }
        guard status.isOpen else { return .caseNotOpen(status) }
        if personRestricted { return .processingRestricted }
        if let recipient, !recipient.active { return .handlerInactive(code: recipient.code) }
        return nil
    }
}

extension ReminderAddressee: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let addressee = ReminderAddressee(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a reminder recipient: expected handler/ID or admins")
        }
        self = addressee
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
