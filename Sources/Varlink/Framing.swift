/// Varlink messages are JSON objects, each terminated by a NUL byte.
///
/// `VarlinkFraming` holds the rules of that framing, shared by the NIO server and the
/// blocking client, as pure functions over bytes.
public enum VarlinkFraming {
    /// The default largest message we accept, terminator excluded: 8 MiB.
    public static let defaultMaximumMessageSize = 8 * 1024 * 1024

    public enum Scan: Equatable, Sendable {
        /// A whole message of `length` bytes is there; the terminator follows it.
        case message(length: Int)
        /// No terminator yet and the buffer is still under the limit: wait for more bytes.
        case incomplete
        /// No terminator within the limit: the peer is sending a message we refuse to hold.
        case oversized
    }

    /// Looks for the end of the first message in `bytes`.
    public static func scan(_ bytes: UnsafeRawBufferPointer, maximumMessageSize: Int) -> Scan {
        let window = min(bytes.count, maximumMessageSize + 1)
        if let end = UnsafeRawBufferPointer(rebasing: bytes[0..<window]).firstIndex(of: 0) {
            return .message(length: end)
        }
        return bytes.count > maximumMessageSize ? .oversized : .incomplete
    }

    /// Appends `message` and its terminator to `out`.
    public static func frame(_ message: JSONValue, into out: inout [UInt8]) {
        message.write(to: &out)
        out.append(0)
    }

    /// Appends a reply and its terminator without building it as a JSON object first
    /// (the same text `frame(reply.message, into:)` writes; this is the server's hot path).
    public static func frame(_ reply: VarlinkReply, into out: inout [UInt8]) {
        if reply.continues {
            out.append(contentsOf: #"{"continues":true,"#.utf8)
        } else {
            out.append(UInt8(ascii: "{"))
        }
        if let error = reply.error {
            out.append(contentsOf: #""error":"#.utf8)
            JSONValue.writeString(error, to: &out)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: #""parameters":"#.utf8)
        JSONValue.object(reply.parameters).write(to: &out)
        out.append(UInt8(ascii: "}"))
        out.append(0)
    }
}

/// Splits a byte stream into varlink messages. A pure state machine: feed bytes, take messages.
///
/// ```swift
/// var splitter = VarlinkFrameSplitter()
/// splitter.append(bytesFromSocket)
/// while let message = try splitter.nextMessage() { handle(message) }
/// ```
public struct VarlinkFrameSplitter: Sendable {
    public let maximumMessageSize: Int
    private var buffer: [UInt8] = []
    private var start = 0

    public init(maximumMessageSize: Int = VarlinkFraming.defaultMaximumMessageSize) {
        self.maximumMessageSize = maximumMessageSize
    }

    public var bufferedByteCount: Int { buffer.count - start }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole message parsed as JSON, or nil when more bytes are needed.
    public mutating func nextMessage() throws(VarlinkProtocolError) -> JSONValue? {
        let (scan, parsed): (VarlinkFraming.Scan, Result<JSONValue, JSONParseError>?) = buffer.withUnsafeBytes { all in
            let pending = UnsafeRawBufferPointer(rebasing: all[start...])
            let scan = VarlinkFraming.scan(pending, maximumMessageSize: maximumMessageSize)
            guard case .message(let length) = scan else { return (scan, nil) }
            return (scan, JSONValue.parse(UnsafeRawBufferPointer(rebasing: pending[0..<length])))
        }
        switch scan {
        case .incomplete:
            return nil
        case .oversized:
            throw .messageTooLarge(limit: maximumMessageSize)
        case .message(let length):
            start += length + 1
            if start > 65536 && start > buffer.count / 2 {
                buffer.removeFirst(start)
                start = 0
            }
            switch parsed! {
            case .success(let value): return value
            case .failure(let error): throw .invalidJSON(error)
            }
        }
    }
}

/// A peer broke the framing or the message format; the connection cannot go on.
public enum VarlinkProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    case messageTooLarge(limit: Int)
    case invalidJSON(JSONParseError)
    case invalidMessage(String)

    public var description: String {
        switch self {
        case .messageTooLarge(let limit): return "message larger than the limit of \(limit) bytes"
        case .invalidJSON(let error): return error.description
        case .invalidMessage(let reason): return "invalid varlink message: \(reason)"
        }
    }
}
