import Testing
@testable import Varlink

@Suite struct FramingTests {
    static func frames(_ messages: [JSONValue]) -> [UInt8] {
        var bytes: [UInt8] = []
        for message in messages { VarlinkFraming.frame(message, into: &bytes) }
        return bytes
    }

    @Test func splitsCoalescedFrames() throws {
        var splitter = VarlinkFrameSplitter()
        splitter.append(Self.frames([["method": "a.b.C"], ["method": "a.b.D"], ["method": "a.b.E"]]))
        #expect(try splitter.nextMessage() == ["method": "a.b.C"])
        #expect(try splitter.nextMessage() == ["method": "a.b.D"])
        #expect(try splitter.nextMessage() == ["method": "a.b.E"])
        #expect(try splitter.nextMessage() == nil)
        #expect(splitter.bufferedByteCount == 0)
    }

    @Test func reassemblesFramesSplitAtEveryByte() throws {
        let messages: [JSONValue] = [["method": "org.example.Ping", "parameters": ["text": "héllo"]], ["method": "org.example.Pong"]]
        var splitter = VarlinkFrameSplitter()
        var received: [JSONValue] = []
        for byte in Self.frames(messages) {
            splitter.append([byte])
            while let message = try splitter.nextMessage() { received.append(message) }
        }
        #expect(received == messages)
    }

    @Test func refusesAnOversizedFrameWithoutWaitingForItsEnd() throws {
        var splitter = VarlinkFrameSplitter(maximumMessageSize: 1024)
        splitter.append([UInt8](repeating: UInt8(ascii: " "), count: 1025))
        #expect(throws: VarlinkProtocolError.messageTooLarge(limit: 1024)) { try splitter.nextMessage() }
    }

    @Test func acceptsAFrameExactlyAtTheLimit() throws {
        let message: JSONValue = ["method": .string(String(repeating: "x", count: 1000))]
        let bytes = Self.frames([message])
        var splitter = VarlinkFrameSplitter(maximumMessageSize: bytes.count - 1)
        splitter.append(bytes)
        #expect(try splitter.nextMessage() == message)
    }

    @Test func waitsForAPartialFrame() throws {
        var splitter = VarlinkFrameSplitter()
        splitter.append(Array(#"{"method": "a.b"#.utf8))
        #expect(try splitter.nextMessage() == nil)
        splitter.append(Array(#".C"}"#.utf8) + [0])
        #expect(try splitter.nextMessage() == ["method": "a.b.C"])
    }

    @Test func reportsInvalidJSONAndInvalidUTF8() {
        var splitter = VarlinkFrameSplitter()
        splitter.append(Array("{nope}".utf8) + [0])
        #expect {
            try splitter.nextMessage()
        } throws: { error in
            if case .invalidJSON = error as? VarlinkProtocolError { return true }
            return false
        }
        var second = VarlinkFrameSplitter()
        second.append([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D, 0])  // {"\xFF":1}
        #expect(throws: VarlinkProtocolError.self) { try second.nextMessage() }
    }

    @Test func parsesCallsAndReplies() throws {
        let call = try VarlinkCall(message: ["method": "io.kawal.Daemon.Ping", "more": true, "parameters": ["a": 1]])
        #expect(call.interfaceName == "io.kawal.Daemon")
        #expect(call.memberName == "Ping")
        #expect(call.more && !call.oneway)
        #expect(try VarlinkCall(message: call.message) == call)
        #expect(throws: VarlinkProtocolError.self) { try VarlinkCall(message: ["parameters": [:]]) }
        #expect(throws: VarlinkProtocolError.self) { try VarlinkCall(message: ["method": "a.B", "oneway": "yes"]) }
        let reply = try VarlinkReply(message: ["parameters": ["x": 1], "continues": true])
        #expect(reply.continues && reply.error == nil)
        #expect(try VarlinkReply(message: ["error": "org.example.Failed"]).error == "org.example.Failed")
    }
}

@Suite struct ReplyFramingTests {
    @Test(arguments: [
        VarlinkReply(),
        VarlinkReply(parameters: ["pong": true, "a": [1, 2]]),
        VarlinkReply(parameters: ["n": 1], continues: true),
        VarlinkReply(error: VarlinkError("org.example.Failed", ["why": "it \"broke\""])),
    ])
    func theFastReplyWriterWritesWhatTheGeneralOneWrites(reply: VarlinkReply) throws {
        var fast: [UInt8] = []
        VarlinkFraming.frame(reply, into: &fast)
        var general: [UInt8] = []
        VarlinkFraming.frame(reply.message, into: &general)
        #expect(fast.last == 0)
        #expect(try VarlinkReply(message: try JSONValue(parsing: fast.dropLast())) == reply)
        #expect(try JSONValue(parsing: fast.dropLast()) == JSONValue(parsing: general.dropLast()))
    }
}
