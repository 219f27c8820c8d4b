#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Foundation
import Testing
import Varlink
import VarlinkNIO

/// The NIO server over a real Unix socket: framing on the wire, and isolation between connections.
@Suite struct ServerTests {
    static let idl = """
        interface org.example.server
        method Echo(text: string) -> (text: string)
        method Sleep(ms: int) -> ()
        method Count(to: int) -> (n: int)
        """

    final class Server {
        let path: String
        let channel: any Channel

        init(maximumMessageSize: Int = VarlinkFraming.defaultMaximumMessageSize) async throws {
            var template = Array("/tmp/varlink-test-XXXXXX".utf8CString)
            let directory = String(cString: mkdtemp(&template)!)
            path = directory + "/server.sock"
            var service = VarlinkService<Void>(vendor: "Test", product: "server", version: "1", url: "https://example.org")
            try service.register(interface: try VarlinkInterface(parsing: ServerTests.idl), methods: [
                "Echo": .immediate { ["text": $0.parameters["text"]!] },
                "Sleep": .async { request in
                    try await Task.sleep(for: .milliseconds(request.parameters["ms"]!.intValue!))
                    return [:]
                },
                "Count": .streaming(requiresMore: false) { request, writer in
                    let to = request.parameters["to"]!.intValue!
                    for n in 1..<max(1, to) { writer.yield(["n": .int(n)]) }
                    return ["n": .int(to)]
                },
            ])
            let server = VarlinkServer(service: service, endpoint: .unixSocket(path: path, mode: 0o600),
                                       group: MultiThreadedEventLoopGroup.singleton, maximumMessageSize: maximumMessageSize) { _ in () }
            channel = try await server.start()
        }

        func stop() async throws {
            try await channel.close()
            unlink(path)
        }
    }

    @Test func answersSplitAndCoalescedCalls() async throws {
        let server = try await Server()
        let path = server.path
        try await offThePool {
            let connection = try VarlinkConnection(unixSocketPath: path)
            connection.setReceiveTimeout(seconds: 10)
            var bytes: [UInt8] = []
            for text in ["one", "two", "three"] {
                VarlinkFraming.frame(VarlinkCall(method: "org.example.server.Echo", parameters: ["text": .string(text)]).message, into: &bytes)
            }
            // Three calls in one write, then one call a byte at a time.
            try connection.writeAll(bytes)
            for text in ["one", "two", "three"] {
                #expect(try connection.receive().parameters["text"] == .string(text))
            }
            var single: [UInt8] = []
            VarlinkFraming.frame(VarlinkCall(method: "org.example.server.Echo", parameters: ["text": "bytes"]).message, into: &single)
            for byte in single {
                try connection.writeAll([byte])
            }
            #expect(try connection.receive().parameters["text"] == "bytes")
        }
        try await server.stop()
    }

    @Test func closesAnOversizedConnectionAndKeepsServingOthers() async throws {
        let server = try await Server(maximumMessageSize: 4096)
        let path = server.path
        try await offThePool {
            let bystander = try VarlinkConnection(unixSocketPath: path)
            bystander.setReceiveTimeout(seconds: 10)
            let offender = try VarlinkConnection(unixSocketPath: path)
            offender.setReceiveTimeout(seconds: 10)
            try offender.writeAll([UInt8](repeating: UInt8(ascii: "a"), count: 5000))
            let reply = try offender.receive()
            #expect(reply.error == "org.varlink.service.ProtocolViolation")
            #expect(reply.parameters["reason"]?.stringValue?.contains("4096") == true)
            #expect(throws: VarlinkSocketError.self) { try offender.receive() }
            #expect(try bystander.call("org.example.server.Echo", ["text": "still here"])["text"] == "still here")
        }
        try await server.stop()
    }

    @Test func closesAConnectionThatSendsGarbage() async throws {
        let server = try await Server()
        let path = server.path
        try await offThePool {
            let connection = try VarlinkConnection(unixSocketPath: path)
            connection.setReceiveTimeout(seconds: 10)
            try connection.writeAll(Array("not json".utf8) + [0])
            #expect(try connection.receive().error == "org.varlink.service.ProtocolViolation")
            #expect(throws: VarlinkSocketError.self) { try connection.receive() }
        }
        try await server.stop()
    }

    @Test func aPartialFrameDoesNotHoldUpOtherConnections() async throws {
        let server = try await Server()
        let path = server.path
        try await offThePool {
            let slow = try VarlinkConnection(unixSocketPath: path)
            try slow.writeAll(Array(#"{"method": "org.example.server.Ec"#.utf8))
            let other = try VarlinkConnection(unixSocketPath: path)
            other.setReceiveTimeout(seconds: 10)
            for i in 0..<50 {
                #expect(try other.call("org.example.server.Echo", ["text": .string("\(i)")])["text"] == .string("\(i)"))
            }
            // The slow client finishes its call later and is answered normally.
            slow.setReceiveTimeout(seconds: 10)
            try slow.writeAll(Array(#"ho", "parameters": {"text": "late"}}"#.utf8) + [0])
            #expect(try slow.receive().parameters["text"] == "late")
        }
        try await server.stop()
    }

    @Test func survivesClientsThatVanishMidCall() async throws {
        let server = try await Server()
        let path = server.path
        try await offThePool {
            for _ in 0..<20 {
                let vanishing = try VarlinkConnection(unixSocketPath: path)
                try vanishing.send(VarlinkCall(method: "org.example.server.Sleep", parameters: ["ms": 50]))
            }  // each connection is closed here, while its call is still sleeping
            let other = try VarlinkConnection(unixSocketPath: path)
            other.setReceiveTimeout(seconds: 10)
            try other.call("org.example.server.Sleep", ["ms": 100])
            #expect(try other.call("org.example.server.Echo", ["text": "fine"])["text"] == "fine")
        }
        try await server.stop()
    }

    @Test func answersPipelinedCallsInOrderAroundAsyncWork() async throws {
        let server = try await Server()
        let path = server.path
        try await offThePool {
            let connection = try VarlinkConnection(unixSocketPath: path)
            connection.setReceiveTimeout(seconds: 10)
            try connection.send(VarlinkCall(method: "org.example.server.Sleep", parameters: ["ms": 30]))
            try connection.send(VarlinkCall(method: "org.example.server.Echo", parameters: ["text": "after"]))
            try connection.send(VarlinkCall(method: "org.example.server.Echo", parameters: ["text": "silent"], oneway: true))
            try connection.send(VarlinkCall(method: "org.example.server.Echo", parameters: ["text": "last"]))
            #expect(try connection.receive() == VarlinkReply())
            #expect(try connection.receive().parameters["text"] == "after")
            #expect(try connection.receive().parameters["text"] == "last")
        }
        try await server.stop()
    }

    @Test func aClientThatDoesNotReadItsRepliesIsPausedNotBuffered() async throws {
        let server = try await Server()
        let path = server.path
        try await offThePool {
            let greedy = try VarlinkConnection(unixSocketPath: path)
            greedy.setReceiveTimeout(seconds: 10)
            // 20,000 calls with 1 KiB answers, written from a thread of their own, replies unread for now:
            // far more than the socket buffers hold, so the server must stop reading this connection.
            let text = JSONValue.string(String(repeating: "x", count: 1024))
            var bytes: [UInt8] = []
            for _ in 0..<20_000 {
                VarlinkFraming.frame(VarlinkCall(method: "org.example.server.Echo", parameters: ["text": text]).message, into: &bytes)
            }
            var offset = 0
            while offset < bytes.count {
                let sent = try greedy.writeAvailable(bytes[offset...])
                if sent == 0 { break }
                offset += sent
            }
            #expect(offset < bytes.count, "the server kept reading although nobody read its replies")
            let other = try VarlinkConnection(unixSocketPath: path)
            other.setReceiveTimeout(seconds: 10)
            #expect(try other.call("org.example.server.Echo", ["text": "unaffected"])["text"] == "unaffected")
            // Once the client reads, every reply arrives, in order, and the rest of the calls go through.
            var received = 0
            while received < 20_000 {
                let reply = try greedy.receive()
                if reply.parameters["text"] != text {
                    Issue.record("reply \(received) is wrong: \(reply)")
                    return
                }
                received += 1
                if offset < bytes.count { offset += try greedy.writeAvailable(bytes[offset...]) }
            }
        }
        try await server.stop()
    }

    @Test func streamsWithMore() async throws {
        let server = try await Server()
        let path = server.path
        try await offThePool {
            let connection = try VarlinkConnection(unixSocketPath: path)
            connection.setReceiveTimeout(seconds: 10)
            var seen: [Int64] = []
            try connection.callMore("org.example.server.Count", ["to": 5]) { reply in
                seen.append(reply["n"]!.intValue!)
                return true
            }
            #expect(seen == [1, 2, 3, 4, 5])
            // Without `more`, only the final reply comes.
            #expect(try connection.call("org.example.server.Count", ["to": 3])["n"] == 3)
        }
        try await server.stop()
    }

    @Test func reportsPeerCredentials() async throws {
        let server = try await Server()
        let path = server.path
        try await offThePool {
            let connection = try VarlinkConnection(unixSocketPath: path)
            let credentials = try connection.peerCredentials()
            #expect(credentials.pid == getpid())
            #expect(credentials.uid == getuid())
        }
        try await server.stop()
    }
}

/// Runs blocking socket calls on a thread of their own: blocking the cooperative pool would
/// starve the server's async work, which runs on that same pool in this process.
func offThePool(_ body: @escaping @Sendable () throws -> Void) async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let thread = Thread {
            do {
                try body()
                continuation.resume()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.start()
    }
}
