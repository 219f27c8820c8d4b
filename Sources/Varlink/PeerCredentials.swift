#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Who is at the other end of a Unix socket, as the kernel tells it (SO_PEERCRED).
/// The layout is that of `struct ucred`, which Swift cannot see without `_GNU_SOURCE`.
public struct PeerCredentials: Sendable, Equatable, Hashable {
    public var pid: pid_t
    public var uid: uid_t
    public var gid: gid_t

    public init(pid: pid_t, uid: uid_t, gid: gid_t) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// Reads the credentials of the peer of a connected Unix socket.
    public init(socket fd: CInt) throws(VarlinkSocketError) {
        var credentials = PeerCredentials(pid: 0, uid: 0, gid: 0)
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else {
            throw VarlinkSocketError(operation: "getsockopt(SO_PEERCRED)", path: nil, errno: errno)
        }
        self = credentials
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
