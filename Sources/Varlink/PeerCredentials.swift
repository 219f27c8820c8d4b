#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Who is at the other end of a Unix socket, as the kernel tells it: SO_PEERCRED for the process
/// and its ids, SO_PEERGROUPS for the supplementary groups it had when it connected.
///
/// The groups come from the process, not from the group database: a systemd `DynamicUser=` with
/// `SupplementaryGroups=` has groups that /etc/group does not list.
public struct PeerCredentials: Sendable, Equatable, Hashable {
    public var pid: pid_t
    public var uid: uid_t
    public var gid: gid_t
    /// The peer's supplementary groups, or nil when the kernel did not say (then look the account up).
    public var groups: [gid_t]?

    public init(pid: pid_t, uid: uid_t, gid: gid_t, groups: [gid_t]? = nil) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    /// Reads the credentials of the peer of a connected Unix socket.
    public init(socket fd: CInt) throws(VarlinkSocketError) {
        var credentials = UCred()
        var length = socklen_t(MemoryLayout<UCred>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else {
            throw VarlinkSocketError(operation: "getsockopt(SO_PEERCRED)", path: nil, errno: errno)
        }
        self.init(credentials, groups: Self.peerGroups(socket: fd))
    }

    public init(_ credentials: UCred, groups: [gid_t]?) {
        self.init(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid, groups: groups)
    }

    /// SO_PEERGROUPS (Linux 4.13): the peer's supplementary groups; nil if the kernel refuses.
    public static func peerGroups(socket fd: CInt) -> [gid_t]? {
        var count = 64
        while count <= 65536 {
            var gids = [gid_t](repeating: 0, count: count)
            var length = socklen_t(count * MemoryLayout<gid_t>.stride)
            let result = gids.withUnsafeMutableBytes { getsockopt(fd, SOL_SOCKET, peerGroupsOption, $0.baseAddress, &length) }
            if result == 0 { return Array(gids.prefix(Int(length) / MemoryLayout<gid_t>.stride)) }
            guard errno == ERANGE else { return nil }
            count = max(count * 2, Int(length) / MemoryLayout<gid_t>.stride)
        }
        return nil
    }

    /// SO_PEERGROUPS from <asm-generic/socket.h>; Glibc's Swift module does not carry it.
    public static let peerGroupsOption: CInt = 59

    /// The layout of `struct ucred`, which Swift cannot see without `_GNU_SOURCE`.
    public struct UCred: Sendable, Equatable {
        public var pid: pid_t = 0
        public var uid: uid_t = 0
        public var gid: gid_t = 0
        public init() {}
    }
}

/// A socket operation failed; `errno` says why.
public struct VarlinkSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var path: String?
    public var errno: CInt

    public init(operation: String, path: String?, errno: CInt) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        if let path { return "\(operation) \(path): \(reason)" }
        return "\(operation): \(reason)"
    }
}
