import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Buffered bytes from a file descriptor or memory, for the header's lines and the payload's chunks.
public final class AgeInput {
    private let source: (UnsafeMutableRawBufferPointer) throws -> Int
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var finished = false

    /// Bytes read from `fd` (not closed here).
    public convenience init(fileDescriptor fd: CInt) {
        self.init { buffer in
            while true {
                let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if count >= 0 { return count }
                if errno != EINTR { throw AgeIOError(operation: "read", errno: errno) }
            }
        }
    }

    public convenience init(bytes: [UInt8]) {
        var offset = 0
        self.init { buffer in
            let count = min(buffer.count, bytes.count - offset)
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + count)])) }
            offset += count
            return count
        }
    }

    /// `source` fills the buffer it is given and returns how many bytes it wrote; 0 means the end.
    public init(source: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) {
        self.source = source
        buffer = [UInt8](repeating: 0, count: 1 << 20)
    }

    private func fill() throws {
        if start > 0 {
            buffer.withUnsafeMutableBytes { raw in
                raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: end - start)
            }
            end -= start
            start = 0
        }
        while !finished && end < buffer.count {
            let count = try buffer.withUnsafeMutableBytes { try source(UnsafeMutableRawBufferPointer(rebasing: $0[end...])) }
            if count == 0 { finished = true } else { end += count }
            if count > 0 { break }
        }
    }

    /// This input, or, when it holds an ASCII-armored file (`age -a`), the binary file inside the
    /// armor. An armored file is read whole (Kawal's own files are binary and stream).
    public func dearmored() throws -> AgeInput {
        while !finished && end - start < 1024 {
            let before = end - start
            try fill()
            if end - start == before { break }
        }
        guard AgeArmor.isArmored(buffer[start..<end]) else { return self }
        var armored: [UInt8] = []
        var chunk: [UInt8] = []
        repeat {
            try read(1 << 20, into: &chunk)
            armored += chunk
        } while !chunk.isEmpty
        return AgeInput(bytes: try AgeArmor.decode(armored))
    }

    /// A line without its `\n`; nil at the end of input; an error for a longer line or a missing `\n`.
    func readLine(limit: Int) throws -> [UInt8]? {
        var line: [UInt8] = []
        while true {
            if start == end {
                try fill()
                if start == end {
                    guard line.isEmpty else { throw AgeError.headerInvalid("the header ends without a newline") }
                    return nil
                }
            }
            if let newline = buffer[start..<end].firstIndex(of: 0x0A) {
                line += buffer[start..<newline]
                start = newline + 1
                return line
            }
            line += buffer[start..<end]
            start = end
            guard line.count <= limit else { throw AgeError.headerInvalid("a header line is longer than \(limit) bytes") }
        }
    }

    /// Up to `count` bytes (fewer only at the end of input) into `out`, replacing its contents.
    func read(_ count: Int, into out: inout [UInt8]) throws {
        out.removeAll(keepingCapacity: true)
        while out.count < count {
            if start == end {
                try fill()
                if start == end { return }
            }
            let take = min(count - out.count, end - start)
            out += buffer[start..<(start + take)]
            start += take
        }
    }
}

/// A failed read(2) or write(2).
public struct AgeIOError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32
    public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}

/// The STREAM construction's nonce: an 11-byte big-endian counter and the last-chunk flag.
private func streamNonce(_ counter: UInt64, last: Bool) -> ChaChaPoly.Nonce {
    var bytes = [UInt8](repeating: 0, count: 12)
    for index in 0..<8 { bytes[10 - index] = UInt8(truncatingIfNeeded: counter >> UInt64(8 * index)) }
    bytes[11] = last ? 1 : 0
    return try! ChaChaPoly.Nonce(data: bytes)
}

private func payloadKey(fileKey: [UInt8], nonce: [UInt8]) -> SymmetricKey {
    HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: fileKey), salt: nonce, info: Array("payload".utf8), outputByteCount: 32)
}

/// Encrypts a stream to age v1 for X25519 recipients, in memory bounded by one 64 KiB chunk.
///
/// ```swift
/// let writer = try AgeWriter(recipients: [recipient]) { try file.write($0) }
/// try writer.write(plaintext)
/// try writer.finish()
/// ```
public final class AgeWriter {
    public static let chunkSize = 64 * 1024
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private let key: SymmetricKey
    private var pending: [UInt8] = []
    private var counter: UInt64 = 0
    private var finished = false

    /// Writes the header and payload nonce to `sink` at once.
    public init(recipients: [AgeRecipient], sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(!recipients.isEmpty, "an age file needs at least one recipient")
        self.sink = sink
        var fileKey = [UInt8](repeating: 0, count: 16)
        var nonce = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in 0..<16 {
            fileKey[index] = generator.next()
            nonce[index] = generator.next()
        }
        key = payloadKey(fileKey: fileKey, nonce: nonce)
        let header = try AgeHeader.make(fileKey: fileKey, recipients: recipients)
        try (header + nonce).withUnsafeBytes { try sink($0) }
        pending.reserveCapacity(Self.chunkSize)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if pending.count == Self.chunkSize { try seal(last: false) }
            let take = min(Self.chunkSize - pending.count, bytes.count - offset)
            pending += UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)])
            offset += take
        }
    }

    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Seals the last chunk (a full one if the data ends on a chunk boundary, empty only for empty data).
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try seal(last: true)
    }

    private func seal(last: Bool) throws {
        let box = try ChaChaPoly.seal(pending, using: key, nonce: streamNonce(counter, last: last))
        try box.ciphertext.withUnsafeBytes { try sink($0) }
        try box.tag.withUnsafeBytes { try sink($0) }
        counter += 1
        pending.removeAll(keepingCapacity: true)
    }
}

/// Decrypts an age v1 file chunk by chunk; a chunk is returned only after it authenticated.
///
/// ```swift
/// let reader = try AgeReader(input: AgeInput(fileDescriptor: fd), identities: identities)
/// while let chunk = try reader.next() { try output.write(chunk) }
/// ```
public final class AgeReader {
    private static let sealedChunkSize = AgeWriter.chunkSize + 16
    private let input: AgeInput
    private let key: SymmetricKey
    private var counter: UInt64 = 0
    private var done = false
    private var sealed: [UInt8] = []
    private var lookahead: [UInt8] = []

    /// Reads and checks the header (stanzas, then MAC) and the payload nonce.
    public init(input: AgeInput, identities: [AgeIdentity]) throws {
        self.input = input
        let header = try AgeHeader.read(from: input)
        let fileKey = try header.unwrap(with: identities)
        var nonce: [UInt8] = []
        try input.read(16, into: &nonce)
        guard nonce.count == 16 else { throw AgeError.headerInvalid("the file ends before the payload nonce (truncated)") }
        key = payloadKey(fileKey: fileKey, nonce: nonce)
        try input.read(Self.sealedChunkSize, into: &sealed)
    }

    /// The next plaintext chunk; nil after the last one.
    public func next() throws -> [UInt8]? {
        guard !done else { return nil }
        // A full chunk is the last one only if nothing follows it.
        if sealed.count == Self.sealedChunkSize { try input.read(Self.sealedChunkSize, into: &lookahead) } else { lookahead.removeAll() }
        let last = lookahead.isEmpty
        guard sealed.count >= 16 else {
            throw AgeError.payloadInvalid(counter == 0 ? "the payload has no chunks (truncated)" : "chunk \(counter + 1) is shorter than its tag (truncated)")
        }
        guard let box = try? ChaChaPoly.SealedBox(nonce: streamNonce(counter, last: last), ciphertext: sealed.dropLast(16), tag: sealed.suffix(16)),
              let plain = try? ChaChaPoly.open(box, using: key) else {
            if last, sealed.count == Self.sealedChunkSize {
                throw AgeError.payloadInvalid("the file ends after chunk \(counter + 1) without a final chunk (truncated)")
            }
            throw AgeError.payloadInvalid("chunk \(counter + 1) fails authentication (altered, damaged or truncated)")
        }
        if last && plain.isEmpty && counter > 0 { throw AgeError.payloadInvalid("the last chunk is empty, which only an empty file may have") }
        counter += 1
        if last { done = true }
        swap(&sealed, &lookahead)
        return Array(plain)
    }
}
