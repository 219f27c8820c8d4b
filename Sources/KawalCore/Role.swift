#if canImport(Glibc)
import Glibc
#endif
@_exported import KawalDomain
import Varlink

/// Who the caller is and what it may do.
public struct Caller: Sendable, Equatable {
    public var credentials: PeerCredentials?
    public var role: Role
    /// Why the role was given, for the audit log and for refusals ("root", "group kawal-admin").
    public var reason: String

    public init(credentials: PeerCredentials?, role: Role, reason: String) {
        self.credentials = credentials
        self.role = role
        self.reason = reason
    }
}

/// Maps peer credentials to roles (ARCHITECTURE, "Who may do what").
public struct AccessPolicy: Sendable, Equatable {
    public var adminGroup: String
    public var handlerGroup: String
    /// kawald's own uid: the service account is always admin.
    public var daemonUID: uid_t

    public init(adminGroup: String = "kawal-admin", handlerGroup: String = "kawal", daemonUID: uid_t = getuid()) {
        self.adminGroup = adminGroup
        self.handlerGroup = handlerGroup
        self.daemonUID = daemonUID
    }

    public func caller(for credentials: PeerCredentials?) -> Caller {
        guard let credentials else { return Caller(credentials: nil, role: .none, reason: "peer credentials unavailable") }
        if credentials.uid == 0 { return Caller(credentials: credentials, role: .admin, reason: "root") }
        if credentials.uid == daemonUID { return Caller(credentials: credentials, role: .admin, reason: "kawald's own user") }
        let groups = UserDatabase.groups(of: credentials)
        if let admin = UserDatabase.gid(ofGroup: adminGroup), groups.contains(admin) {
            return Caller(credentials: credentials, role: .admin, reason: "group \(adminGroup)")
        }
        if let handler = UserDatabase.gid(ofGroup: handlerGroup), groups.contains(handler) {
            return Caller(credentials: credentials, role: .handler, reason: "group \(handlerGroup)")
        }
        return Caller(credentials: credentials, role: .none, reason: "in neither \(adminGroup) nor \(handlerGroup)")
    }

    /// The refusal for a caller whose role is below `required`.
    public func refusal(for caller: Caller, required: Role) -> VarlinkError {
        let group = required == .admin ? adminGroup : handlerGroup
        let account = caller.credentials.map { UserDatabase.describe(uid: $0.uid) } ?? "an unidentified peer"
        let message: String
        switch required {
        case .admin:
            message = "\(account) may not do this: it needs an administrator (root or a member of group \(group)); add the account with 'usermod -aG \(group) USER' and log in again"
        default:
            message = "\(account) may not use kawald: case records are personal data; members of group \(handlerGroup) (case handlers) or \(adminGroup) (administrators) may; add the account with 'usermod -aG \(handlerGroup) USER' and log in again"
        }
        return VarlinkError("io.kawal.PermissionDenied", [
            "message": .string(message), "role": .string(caller.role.rawValue), "required_group": .string(group),
        ])
    }
}

/// Look-ups in the user and group database (NSS), for roles and messages.
public enum UserDatabase {
    public static func gid(ofGroup name: String) -> gid_t? {
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrnam_r(name, &group, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return group.gr_gid
    }

    public static func groupName(of gid: gid_t) -> String? {
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrgid_r(gid, &group, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return String(cString: group.gr_name)
    }

    public static func uid(ofUser name: String) -> uid_t? {
        var passwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwnam_r(name, &passwd, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return passwd.pw_uid
    }

    public static func userName(of uid: uid_t) -> String? {
        var passwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(uid, &passwd, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return String(cString: passwd.pw_name)
    }

    /// The groups a peer had when it connected (SO_PEERGROUPS), with its primary group; the account's
    /// groups from the database only when the kernel did not say.
    public static func groups(of peer: PeerCredentials) -> Set<gid_t> {
        guard let groups = peer.groups else { return groups(of: peer.uid, primaryGID: peer.gid) }
        return Set(groups).union([peer.gid])
    }

    /// The groups of the account with this uid: its primary group and the supplementary ones.
    public static func groups(of uid: uid_t, primaryGID: gid_t) -> Set<gid_t> {
        var result: Set<gid_t> = [primaryGID]
        guard let name = userName(of: uid) else { return result }
        var count: CInt = 64
        var gids = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, primaryGID, &gids, &count) < 0 {
            gids = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, primaryGID, &gids, &count) >= 0 else { return result }
        }
        result.formUnion(gids.prefix(Int(count)))
        return result
    }

    /// "uid 1000 (ani)" for messages.
    public static func describe(uid: uid_t) -> String {
        if let name = userName(of: uid) { return "uid \(uid) (\(name))" }
        return "uid \(uid)"
    }
}
