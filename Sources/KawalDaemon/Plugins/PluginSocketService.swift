import CLinux
import Foundation
import KawalCore
import Logging
import ServiceLifecycle
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// RUNTIME/plugins.sock (or systemd's socket named `plugins`): where external plugins connect.
/// The socket is mode 0660, group `kawal-plugin`; kawald checks each peer's groups as well.
struct PluginSocketService: Service {
    let path: String
    let inheritedFD: CInt?
    let groupName: String
    let host: PluginHost
    let state: DaemonState
    let logger: Logger

    func run() async throws {
        let fd: CInt
        if let inheritedFD {
            fd = inheritedFD
        } else {
            fd = try Self.listen(path: path, groupName: groupName, logger: logger)
        }
        state.addSocket(.init(name: "plugins", path: path, activated: inheritedFD != nil))
        let host = self.host
        let groupName = self.groupName
        let logger = self.logger
        let connections = AsyncStream<CInt> { continuation in
            let thread = Thread {
                while true {
                    let client = accept4(fd, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
                    if client < 0 {
                        if errno == EINTR || errno == ECONNABORTED { continue }
                        break
                    }
                    continuation.yield(client)
                }
                continuation.finish()
            }
            thread.name = "kawal-plugin-accept"
            thread.start()
        }
        await withTaskCancellationOrGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await client in connections {
                    let peer = try? PeerCredentials(socket: client)
                    let allowed = peer.map { Self.mayConnect($0, groupName: groupName) } ?? false
                    group.addTask {
                        await host.serveExternal(socket: client, peer: peer, allowed: allowed, groupName: groupName)
                    }
                }
            }
        } onCancelOrGracefulShutdown: {
            // Unblocks accept(2), and ends the connected plugins' conversations.
            shutdown(fd, Int32(SHUT_RDWR))
            Task { await host.disconnectExternals() }
        }
        logger.debug("plugin socket closed")
        if inheritedFD == nil { unlink(path) }
    }

    static func mayConnect(_ peer: PeerCredentials, groupName: String) -> Bool {
        if peer.uid == 0 || peer.uid == getuid() { return true }
        guard let gid = UserDatabase.gid(ofGroup: groupName) else { return false }
        return UserDatabase.groups(of: peer.uid, primaryGID: peer.gid).contains(gid)
    }

    static func listen(path: String, groupName: String, logger: Logger) throws -> CInt {
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw VarlinkSocketError(operation: "socket", path: path, errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw VarlinkSocketError(operation: "bind", path: path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw VarlinkSocketError(operation: "bind", path: path, errno: code)
        }
        chmod(path, 0o660)
        if let gid = UserDatabase.gid(ofGroup: groupName) {
            if chown(path, uid_t.max, gid) != 0 {
                logger.warning("cannot give \(path) to group \(groupName): \(String(cString: strerror(errno)))")
            }
        } else {
            logger.notice("group \(groupName) does not exist; only root and kawald's user can connect plugins to \(path)")
        }
        return fd
    }
}
