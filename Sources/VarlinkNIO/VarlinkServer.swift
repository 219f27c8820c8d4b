#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Varlink

/// Things a server reports to its owner's log.
public enum VarlinkServerEvent: Sendable {
    case connectionOpened(peer: PeerCredentials?)
    case connectionClosed(peer: PeerCredentials?)
    case protocolViolation(peer: PeerCredentials?, reason: String)
}

/// A varlink server on SwiftNIO, listening on a Unix socket path or on an inherited listening socket
/// (systemd socket activation).
///
/// ```swift
/// let server = VarlinkServer(service: service, endpoint: .unixSocket(path: "/run/pingd.sock", mode: 0o666),
///                            group: MultiThreadedEventLoopGroup.singleton) { _ in () }
/// let listening = try await server.start()
/// try await listening.closeFuture.get()
/// ```
public struct VarlinkServer<Context: Sendable>: Sendable {
    public enum Endpoint: Sendable {
        /// Bind this path (a stale socket file is replaced) and set its mode.
        case unixSocket(path: String, mode: mode_t)
        /// Adopt a socket that is already bound and listening, e.g. from systemd.
        case listeningSocket(CInt)
    }

    public let service: VarlinkService<Context>
    public let endpoint: Endpoint
    public let group: any EventLoopGroup
    public let maximumMessageSize: Int
    public let makeContext: @Sendable (PeerCredentials?) -> Context
    public let onEvent: @Sendable (VarlinkServerEvent) -> Void

    public init(service: VarlinkService<Context>, endpoint: Endpoint, group: any EventLoopGroup,
                maximumMessageSize: Int = VarlinkFraming.defaultMaximumMessageSize,
                onEvent: @escaping @Sendable (VarlinkServerEvent) -> Void = { _ in },
                makeContext: @escaping @Sendable (PeerCredentials?) -> Context) {
        self.service = service
        self.endpoint = endpoint
        self.group = group
        self.maximumMessageSize = maximumMessageSize
        self.makeContext = makeContext
        self.onEvent = onEvent
    }

    /// Starts listening; the returned channel is the listening socket (close it to stop).
    public func start() async throws -> any Channel {
        let service = self.service
        let maximumMessageSize = self.maximumMessageSize
        let makeContext = self.makeContext
        let onEvent = self.onEvent
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: false)
            .childChannelInitializer { channel in
                Self.peerCredentials(of: channel).flatMap { peer in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = VarlinkConnectionHandler(
                            service: service, context: makeContext(peer), peer: peer,
                            maximumMessageSize: maximumMessageSize, onEvent: onEvent)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
            }
        switch endpoint {
        case .unixSocket(let path, let mode):
            let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            guard chmod(path, mode) == 0 else {
                let code = errno
                try? await channel.close()
                throw VarlinkSocketError(operation: "chmod", path: path, errno: code)
            }
            return channel
        case .listeningSocket(let fd):
            return try await bootstrap.withBoundSocket(fd).get()
        }
    }

    static func peerCredentials(of channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let credentials: EventLoopFuture<PeerCredentials.UCred> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        let groups: EventLoopFuture<PeerGroups?> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(PeerCredentials.peerGroupsOption))
            .map { Optional($0) }.recover { _ in nil }
        return credentials.and(groups)
            .map { credentials, groups in Optional(PeerCredentials(credentials, groups: groups?.list)) }
            .recover { _ in nil }
    }
}

/// SO_PEERGROUPS through NIO, which reads an option into a value of fixed size, zeroed first, and
/// does not say how many bytes the kernel wrote: the unused tail stays 0, so trailing zeros are
/// dropped (a peer whose last group really is 0, root's, is judged without it). More groups than
/// fit make the call fail, and the caller falls back to the group database.
struct PeerGroups {
    var storage: InlineArray<256, gid_t>

    var list: [gid_t] {
        var gids = (0..<storage.count).map { storage[$0] }
        while gids.last == 0 { gids.removeLast() }
        return gids
    }
}
