import KawalDomain

/// Who is reading or changing records: written to the audit log with every access.
public struct Actor: Sendable, Equatable {
    public var uid: Int64
    public var pid: Int64
    public var role: Role
    /// For a handler: their handler record; they see only the cases assigned to it.
    public var handlerID: Int64?
    /// How the actor is shown in case history ("admin uid 0", "handler ani").
    public var label: String
    /// For a handler: the handlers they supervise, whose cases they see too.
    public var supervises: [Int64] = []

    public init(uid: Int64, pid: Int64, role: Role, handlerID: Int64?, label: String) {
        self.uid = uid
        self.pid = pid
        self.role = role
        self.handlerID = handlerID
        self.label = label
    }

    public var isAdmin: Bool { role == .admin }

    /// Refuses, naming who may, unless the actor's role may do `operation` (`Authorization`).
    public func require(_ operation: Operation) throws(StoreError) {
        if let denied = Authorization.check(operation, role: role) { throw .forbidden(denied.description) }
    }

    /// The cases, and through them the people, follow-ups and referrals, this actor sees.
    public var scope: RecordScope { Authorization.scope(role: role, handlerID: handlerID, supervises: supervises) }

    /// Who this caller is to a case's reporter: administrators see a confidential reporter, others do not.
    public var reporterAudience: ReporterAudience { isAdmin ? .administrator : .handler }

    /// kawald itself (imports, scheduled work).
    public static func system(pid: Int64) -> Actor {
        Actor(uid: 0, pid: pid, role: .admin, handlerID: nil, label: "kawald")
    }
}

/// Why a store operation was refused. The API layer turns these into io.kawal errors.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(object: String)
    case conflict(object: String, expected: Int64, current: Int64)
    case invalid(field: String, message: String)
    case duplicateSuspected([DuplicateCandidate])
    case invalidTransition(caseCode: String, from: String, to: String, allowed: [String])
    case forbidden(String)
    /// Refused because these cases are under legal hold.
    case legalHold(object: String, cases: [String])

    public var description: String {
        switch self {
        case .notFound(let object): return "\(object) not found"
        case .conflict(let object, let expected, let current):
            return "\(object) was changed meanwhile: you read version \(expected), it is now at version \(current)"
        case .invalid(let field, let message): return "\(field): \(message)"
        case .duplicateSuspected(let candidates): return "likely duplicate of \(candidates.map { "person/\($0.id)" }.joined(separator: ", "))"
        case .invalidTransition(let code, let from, let to, let allowed):
            return "case \(code) cannot go from \(from) to \(to); allowed: \(allowed.isEmpty ? "none" : allowed.joined(separator: ", "))"
        case .forbidden(let message): return message
        case .legalHold(let object, let cases):
            return "\(object) is under legal hold (\(cases.joined(separator: ", "))): lift the hold with 'kawalctl case unhold' first if the law allows"
        }
    }
}

extension StoreError {
    /// Refuses an update based on a version that is no longer current: never overwrite silently.
    static func checkVersion(of object: String, read: Int64, current: Int64) throws(StoreError) {
        guard read == current else { throw .conflict(object: object, expected: read, current: current) }
    }
}

/// A person who may already be recorded.
public struct DuplicateCandidate: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var village: String
    public var birthDate: String?
    /// "same NIK" or "same name, birth date and village".
    public var reason: String
}

extension RecordScope {
    /// The scope as an SQL condition on a case's handler column (`handlerID IN (7)`), or nil when
    /// every record is in scope. Only integers are written into the text.
    func condition(handlerColumn: String) -> String? {
        guard let ids = handlerIDs else { return nil }
        return ids.isEmpty ? "0" : "\(handlerColumn) IN (\(ids.map(String.init).joined(separator: ",")))"
    }
}
