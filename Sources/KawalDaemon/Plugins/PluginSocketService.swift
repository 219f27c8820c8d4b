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
        // The accept thread waits on the socket and on `wake`; stopping writes `wake`. It must not
        // shutdown(2) the socket: systemd's socket unit holds the same listening socket, and a
        // shut-down one stays dead for the next kawald (which then stopped the moment it was ready).
        let ownSocket = inheritedFD == nil
        let path = self.path
        let wake = eventfd(0, Int32(EFD_CLOEXEC))
        guard wake >= 0 else {
            let code = errno
            if ownSocket { close(fd); unlink(path) }
            throw VarlinkSocketError(operation: "eventfd", path: nil, errno: code)
        }
        let stop = WakeOnce(fd: wake)
        let (connections, continuation) = AsyncThrowingStream<CInt, any Error>.makeStream()
        // The thread owns the descriptors: the listening socket is closed (and its path removed, when
        // it is kawald's own; an inherited one stays with systemd for the next start) only once
        // nothing can accept on it any more.
        let thread = Thread {
            let failure = Self.acceptLoop(listening: fd, wake: wake) { client in
                // Nobody takes connections any more (the service is stopping): do not leak them.
                if case .terminated = continuation.yield(client) { close(client) }
            }
            stop.close()
            if ownSocket {
                close(fd)
                unlink(path)
            }
            continuation.finish(throwing: failure)
        }
        thread.name = "kawal-plugin-accept"
        thread.start()
        defer { stop.signal() }
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                for try await client in connections {
                    let peer = try? PeerCredentials(socket: client)
                    let allowed = peer.map { Self.mayConnect($0, groupName: groupName) } ?? false
                    group.addTask {
                        await host.serveExternal(socket: client, peer: peer, allowed: allowed, groupName: groupName)
                    }
                }
            }
        } onCancelOrGracefulShutdown: {
            stop.signal()
            // Ends the connected plugins' conversations.
            Task { await host.disconnectExternals() }
        }
        logger.debug("plugin socket closed")
    }

    /// Accepts connections on `listening` until `wake` is written (nil) or accepting fails for good.
    static func acceptLoop(listening fd: CInt, wake: CInt, yield: (CInt) -> Void) -> (any Error)? {
        var pollers = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        while true {
            if poll(&pollers, 2, -1) < 0 {
                if errno == EINTR { continue }
                return VarlinkSocketError(operation: "poll", path: nil, errno: errno)
            }
            if pollers[1].revents != 0 { return nil }
            guard pollers[0].revents != 0 else { continue }
            let client = accept4(fd, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
            if client >= 0 {
                yield(client)
                continue
            }
            switch errno {
            case EINTR, EAGAIN, ECONNABORTED, EPROTO:
                continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors or memory: the waiting peer stays in the backlog; try again soon.
                usleep(100_000)
            default:
                return VarlinkSocketError(operation: "accept on the plugin socket", path: nil, errno: errno)
            }
        }
    }

    /// The accept thread's wake-up eventfd: written at most once, and never after the thread closed
    /// it (its number may by then belong to another socket).
    final class WakeOnce: @unchecked Sendable {
        private let fd: CInt
        private let lock = NSLock()
        private var signalled = false
        private var closed = false

        init(fd: CInt) { self.fd = fd }

        func signal() {
            lock.lock()
            defer { lock.unlock() }
            guard !signalled, !closed else { return }
            signalled = true
            var one: UInt64 = 1
            _ = write(fd, &one, 8)
        }

        /// Called by the accept thread when it is done with the descriptor.
        func close() {
            lock.lock()
            defer { lock.unlock() }
            closed = true
            _ = Glibc.close(fd)
        }
    }

    static func mayConnect(_ peer: PeerCredentials, groupName: String) -> Bool {
        if peer.uid == 0 || peer.uid == getuid() { return true }
        guard let gid = UserDatabase.gid(ofGroup: groupName) else { return false }
        return UserDatabase.groups(of: peer).contains(gid)
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
