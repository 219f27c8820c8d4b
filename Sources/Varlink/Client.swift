#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A blocking varlink client over a Unix socket: one call at a time, as varlink says.
///
/// Deliberately free of event loops and threads, so that a command-line tool starts fast.
///
/// ```swift
/// let connection = try VarlinkConnection(unixSocketPath: "/run/kawal/control.sock")
/// let reply = try connection.call("io.kawal.Daemon.Ping")
/// ```
public final class VarlinkConnection {
    public let path: String
    private var fd: CInt
    private var splitter: VarlinkFrameSplitter
    private var readBuffer = [UInt8](repeating: 0, count: 65536)

    /// Connects to the socket at `path`.
    public init(unixSocketPath path: String, maximumMessageSize: Int = VarlinkFraming.defaultMaximumMessageSize) throws(VarlinkSocketError) {
        self.path = path
        self.splitter = VarlinkFrameSplitter(maximumMessageSize: maximumMessageSize)
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM | SOCK_CLOEXEC
        #endif
        fd = socket(AF_UNIX, type, 0)
        guard fd >= 0 else { throw VarlinkSocketError(operation: "socket", path: nil, errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            close(fd)
            throw VarlinkSocketError(operation: "connect", path: path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw VarlinkSocketError(operation: "connect", path: path, errno: code)
        }
    }

    /// Wraps an already connected socket (e.g. an inherited socketpair end). The connection owns it.
    public init(connectedSocket: CInt, description: String = "socket", maximumMessageSize: Int = VarlinkFraming.defaultMaximumMessageSize) {
        self.path = description
        self.fd = connectedSocket
        self.splitter = VarlinkFrameSplitter(maximumMessageSize: maximumMessageSize)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// The credentials of the server process.
    public func peerCredentials() throws(VarlinkSocketError) -> PeerCredentials {
        try PeerCredentials(socket: fd)
    }

    /// Calls a method and waits for its reply. An error reply is thrown as `VarlinkError`.
    @discardableResult
    public func call(_ method: String, _ parameters: [String: JSONValue] = [:]) throws -> [String: JSONValue] {
        try send(VarlinkCall(method: method, parameters: parameters))
        let reply = try receive()
        if let error = reply.error { throw VarlinkError(error, reply.parameters) }
        return reply.parameters
    }

    /// Calls a method with `more` and hands each reply to `body` until the last one.
    /// Return false from `body` to stop reading (the connection is then unusable for further calls).
    public func callMore(_ method: String, _ parameters: [String: JSONValue] = [:], _ body: ([String: JSONValue]) throws -> Bool) throws {
        try send(VarlinkCall(method: method, parameters: parameters, more: true))
        while true {
            let reply = try receive()
            if let error = reply.error { throw VarlinkError(error, reply.parameters) }
            guard try body(reply.parameters), reply.continues else { return }
        }
    }

    /// Sends a call without waiting for anything.
    public func send(_ call: VarlinkCall) throws {
        var bytes: [UInt8] = []
        VarlinkFraming.frame(call.message, into: &bytes)
        try writeAll(bytes)
    }

    /// A message that has already arrived, without waiting for the socket; nil when none is buffered.
    public func bufferedMessage() throws -> JSONValue? {
        try splitter.nextMessage()
    }

    /// Sends one message (a call or a reply).
    public func sendMessage(_ message: JSONValue) throws(VarlinkSocketError) {
        var bytes: [UInt8] = []
        VarlinkFraming.frame(message, into: &bytes)
        try writeAll(bytes)
    }

    /// Sends raw bytes: for tests of how a server copes with broken peers.
    public func writeAll(_ bytes: [UInt8]) throws(VarlinkSocketError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw VarlinkSocketError(operation: "send", path: path, errno: errno)
            }
            offset += written
        }
    }

    /// Sends what the socket takes now without waiting; returns the number of bytes sent (0 when the
    /// socket buffer is full). For tests of how a server copes with clients that do not read.
    public func writeAvailable(_ bytes: ArraySlice<UInt8>) throws(VarlinkSocketError) -> Int {
        let written = bytes.withUnsafeBytes { raw in
            Glibc.send(fd, raw.baseAddress!, raw.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
        }
        if written < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return 0 }
            throw VarlinkSocketError(operation: "send", path: path, errno: errno)
        }
        return written
    }

    /// Waits for the next reply.
    public func receive() throws -> VarlinkReply {
        try VarlinkReply(message: receiveMessage())
    }

    /// Waits for the next message of any kind: a reply, or a call when this side serves
    /// (after an `upgrade`, the roles on a connection may turn around).
    public func receiveMessage() throws -> JSONValue {
        while true {
            if let message = try splitter.nextMessage() {
                return message
            }
            let count = readBuffer.withUnsafeMutableBytes { raw in
                recv(fd, raw.baseAddress!, raw.count, 0)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw VarlinkSocketError(operation: "recv", path: path, errno: errno)
            }
            if count == 0 {
                throw VarlinkSocketError(operation: "recv", path: path, errno: ECONNRESET)
            }
            splitter.append(readBuffer[0..<count])
        }
    }

    /// Stops waiting for a reply after `seconds` (0 waits for ever).
    public func setReceiveTimeout(seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
}
