/// What a caller may do, decided from its peer credentials on every connection.
public enum Role: String, Sendable, Comparable, CaseIterable {
    /// Not allowed to see anything: the records are personal data.
    case none
    /// A case handler (group `kawal`): own cases, follow-up outcomes.
    case handler
    /// An administrator: root, kawald's own user, group `kawal-admin`.
    case admin

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .none: return 0
        case .handler: return 1
        case .admin: return 2
        }
    }
}
