/// Who may do what, in one place: the least role for every io.kawal method (applied by the API
/// layer before a call reaches the store), the least role for every store operation (applied by
/// the store, so a call from inside kawald is held to the same rules), and which records a caller
/// sees (applied by every query).
public enum Authorization {
    /// The least role each method needs; a method not listed needs an administrator, so a new
    /// method is closed until it is listed here.
    public static let methodRoles: [String: Role] = [
        "org.varlink.service.GetInfo": .handler,
        "org.varlink.service.GetInterfaceDescription": .handler,
        "io.kawal.Daemon.Ping": .handler,
        "io.kawal.Daemon.Version": .handler,
        "io.kawal.Daemon.Status": .handler,
        // Handlers see their own cases (the store narrows every query) and record follow-ups and notes.
        "io.kawal.People.Get": .handler,
        "io.kawal.People.List": .handler,
        "io.kawal.Cases.Get": .handler,
        "io.kawal.Cases.List": .handler,
        "io.kawal.Cases.Update": .handler,
        "io.kawal.Cases.RecordFollowUp": .handler,
        "io.kawal.Cases.ListFollowUps": .handler,
        "io.kawal.Cases.ListReferrals": .handler,
        "io.kawal.Cases.UpdateReferral": .handler,
        "io.kawal.Cases.Search": .handler,
        "io.kawal.Handlers.List": .handler,
        "io.kawal.Handlers.ListServices": .handler,
        // De-identified figures: handlers may read them too.
        "io.kawal.Reports.Cases": .handler,
        // Their own messages to Kawal, without the text.
        "io.kawal.Messages.ListInbound": .handler,
    ]

    /// The least role `method` (fully qualified: `io.kawal.Cases.Get`) needs.
    public static func requiredRole(forMethod method: String) -> Role { methodRoles[method] ?? .admin }

    /// Whether `role` may do `operation`; the refusal says who may.
    public static func check(_ operation: Operation, role: Role) -> AccessDenied? {
        role >= operation.requiredRole ? nil : AccessDenied(operation: operation)
    }

    /// The cases (and through them the people, follow-ups and referrals) a caller sees: an
    /// administrator all; a handler their own and those of the handlers they supervise (whose
    /// escalations reach them).
    public static func scope(role: Role, handlerID: Int64?, supervises: [Int64] = []) -> RecordScope {
        switch role {
        case .admin: return .all
        case .handler: return handlerID.map { .handledBy(Set([$0] + supervises)) } ?? .nothing
        case .none: return .nothing
        }
    }
}

/// What the store may be asked to do that not every caller may.
public enum Operation: String, Sendable, CaseIterable {
    case addPerson, changePerson, revealNIK, recordConsent, withdrawConsent, readConsentRegister
    case openCase, assignCase, changeCaseStatus, changeCaseFields, changeCaseNotes
    case planFollowUp, recordFollowUp, moveFollowUp
    case referCase, updateReferral
    case addHandler, changeHandler, deactivateHandler, reassignCases, addService
    case readAudit, verifyAudit
    case exportCases, importCases
    case exportPersonData, restrictProcessing, liftRestriction, erasePerson
    case readRetentionPlan, purgeRecords, setLegalHold
    case listReminders, previewReminders, sendReminder, changeNotifySettings
    case readInboundText

    /// The least role it needs.
    public var requiredRole: Role {
        switch self {
        // A handler records what happened on their own cases (the scope keeps them to those).
        case .changeCaseNotes, .recordFollowUp, .moveFollowUp, .updateReferral: return .handler
        default: return .admin
        }
    }

    /// What it is, for a refusal: "only administrators add people".
    public var phrase: String {
        switch self {
        case .addPerson: return "add people"
        case .changePerson: return "change a person's record"
        case .revealNIK: return "may reveal a NIK"
        case .recordConsent: return "record consent"
        case .withdrawConsent: return "record the withdrawal of consent"
        case .readConsentRegister: return "read the consent register"
        case .openCase: return "open cases"
        case .assignCase: return "assign cases"
        case .changeCaseStatus: return "change a case's status"
        case .changeCaseFields: return "change a case's fields other than its notes"
        case .changeCaseNotes: return "change a case's notes"
        case .planFollowUp: return "plan follow-ups"
        case .recordFollowUp: return "record follow-ups"
        case .moveFollowUp: return "move follow-ups"
        case .referCase: return "refer cases"
        case .updateReferral: return "update referrals"
        case .addHandler: return "add handlers"
        case .changeHandler: return "change handlers"
        case .deactivateHandler: return "deactivate handlers"
        case .reassignCases: return "reassign cases"
        case .addService: return "add services"
        case .readAudit: return "read the audit log"
        case .verifyAudit: return "verify the audit log"
        case .exportCases: return "export cases"
        case .importCases: return "import cases"
        case .exportPersonData: return "export a person's data"
        case .restrictProcessing: return "restrict processing"
        case .liftRestriction: return "lift a restriction"
        case .erasePerson: return "erase a person"
        case .readRetentionPlan: return "read the retention plan"
        case .purgeRecords: return "purge records"
        case .setLegalHold: return "place or lift a legal hold"
        case .listReminders: return "list reminders"
        case .previewReminders: return "preview reminders"
        case .sendReminder: return "send reminders"
        case .changeNotifySettings: return "change how handlers are reminded"
        case .readInboundText: return "read the text of handlers' messages"
        }
    }
}

/// A refused operation.
public struct AccessDenied: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: Operation

    public var description: String {
        switch operation.requiredRole {
        case .admin:
            if operation == .changeCaseFields {
                return "case handlers may change only the notes of their cases; other fields need an administrator"
            }
            return "only administrators \(operation.phrase)"
        case .handler, .none: return "only case handlers and administrators \(operation.phrase)"
        }
    }
}

/// The records a caller sees: all, those of the cases some handlers handle, or none.
public enum RecordScope: Sendable, Equatable {
    case all
    case handledBy(Set<Int64>)
    case nothing

    /// Whether a case handled by `handlerID` (nil: nobody yet) is in scope.
    public func includes(caseHandledBy handlerID: Int64?) -> Bool {
        switch self {
        case .all: return true
        case .handledBy(let handlers): return handlerID.map(handlers.contains) ?? false
        case .nothing: return false
        }
    }

    /// The handler ids a query keeps to, or nil for every record (`[]`: none).
    public var handlerIDs: [Int64]? {
        switch self {
        case .all: return nil
        case .handledBy(let handlers): return handlers.sorted()
        case .nothing: return []
        }
    }
}
