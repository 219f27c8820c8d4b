import CZlib
import Crypto
import Foundation
@testable import KawalAge
import KawalTesting
import Testing

/// The C2SP age test vectors (Tests/testdata/age-testkit, see Tests/testdata/README.md): every X25519
/// vector must give its expected outcome and payload hash, armored ones included. Vectors needing scrypt
/// or ML-KEM hybrid identities are skipped by stanza type and counted. A missing folder is a failure.
@Suite struct AgeTestkitTests {
    struct Vector {
        var name: String
        var fields: [(String, String)]
        var body: [UInt8]
        func field(_ key: String) -> String? { fields.first { $0.0 == key }?.1 }
        var identities: [String] { fields.filter { $0.0 == "identity" }.map(\.1) }
    }

    /// Tests/testdata/age-testkit, found from this file (Tests/KawalBackupTests/AgeTestkitTests.swift).
    static var testkitDirectory: URL {
        SourceTree.root.appendingPathComponent("Tests/testdata/age-testkit")
    }

    static func load(_ url: URL) throws -> Vector {
        let data = Array(try Data(contentsOf: url))
        var fields: [(String, String)] = []
        var index = 0
        while true {
            let end = data[index...].firstIndex(of: 0x0A)!
            let line = String(decoding: data[index..<end], as: UTF8.self)
            index = end + 1
            if line.isEmpty { break }
            let parts = line.split(separator: ":", maxSplits: 1)
            fields.append((String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""))
        }
        var body = Array(data[index...])
        if fields.contains(where: { $0.0 == "compressed" && $0.1 == "zlib" }) { body = try inflate(body) }
        return Vector(name: url.lastPathComponent, fields: fields, body: body)
    }

    static func inflate(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        #expect(inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var source = input
        let status: Int32 = source.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            while true {
                let result: Int32 = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                output += chunk[0..<(chunk.count - Int(stream.avail_out))]
                if result != Z_OK { return result }
            }
        }
        guard status == Z_STREAM_END else { throw AgeIOError(operation: "inflate", errno: EINVAL) }
        return output
    }

    /// The outcome name the testkit uses for what happened.
    static func outcome(_ vector: Vector) -> (String, [UInt8]) {
        var plaintext: [UInt8] = []
        do {
            let identities = try vector.identities.map { try AgeIdentity(parsing: $0) }
            let reader = try AgeReader(input: AgeInput(bytes: try binary(vector)), identities: identities)
            while let chunk = try reader.next() { plaintext += chunk }
            return ("success", plaintext)
        } catch let error as AgeError {
            switch error {
            case .headerInvalid: return ("header failure", plaintext)
            case .headerMACMismatch: return ("HMAC failure", plaintext)
            case .noMatchingIdentity: return ("no match", plaintext)
            case .payloadInvalid: return ("payload failure", plaintext)
            case .keyInvalid: return ("identity failure", plaintext)
            case .armorInvalid: return ("armor failure", plaintext)
            }
        } catch {
            return ("error \(error)", plaintext)
        }
    }

    /// The binary file: the body, or what its armor holds.
    static func binary(_ vector: Vector) throws(AgeError) -> [UInt8] {
        vector.field("armored") == "yes" ? try AgeArmor.decode(vector.body) : vector.body
    }

    static let unsupportedStanzaTypes: Set<String> = ["scrypt", "mlkem768x25519"]

    @Test func everyX25519Vector() throws {
        let directory = Self.testkitDirectory
        var isDirectory: ObjCBool = false
        try #require(FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) && isDirectory.boolValue,
                     "the age testkit is expected at \(directory.path) (vendored in the repository; see Tests/testdata/README.md)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names.count > 100, "the age testkit is expected at \(directory.path)")
        var passed = 0
        var skipped: [String: Int] = [:]
        var failures: [String] = []
        for name in names {
            let vector = try Self.load(directory.appendingPathComponent(name))
            // An armored vector's stanzas are inside its armor (when the armor itself is sound).
            let stanzaTypes = Set(String(decoding: ((try? Self.binary(vector)) ?? vector.body).prefix(4096), as: UTF8.self).split(separator: "\n")
                .filter { $0.hasPrefix("-> ") }.compactMap { $0.dropFirst(3).split(separator: " ").first.map(String.init) })
            if let unsupported = stanzaTypes.first(where: { Self.unsupportedStanzaTypes.contains($0) }) ?? vector.identities.first(where: { !$0.hasPrefix("AGE-SECRET-KEY-1") }).map({ _ in "non-X25519 identity" }) {
                skipped[unsupported, default: 0] += 1
                continue
            }
            let expected = vector.field("expect") ?? "?"
            let (outcome, plaintext) = Self.outcome(vector)
            if outcome != expected {
                failures.append("\(name): expected \(expected), got \(outcome)")
                continue
            }
            if expected == "success", let payload = vector.field("payload") {
                let digest = SHA256.hash(data: plaintext).map { String(format: "%02x", $0) }.joined()
                if digest != payload {
                    failures.append("\(name): payload hash \(digest), expected \(payload)")
                    continue
                }
            }
            passed += 1
        }
        print("age testkit: \(passed) passed, skipped \(skipped.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")), failed \(failures.count)")
        #expect(failures == [])
        #expect(passed >= 98)
    }

    @Test func roundTripAcrossChunkBoundaries() throws {
        let identity = AgeIdentity.generate()
        let other = AgeIdentity.generate()
        for size in [0, 1, AgeWriter.chunkSize - 1, AgeWriter.chunkSize, AgeWriter.chunkSize + 1, 3 * AgeWriter.chunkSize] {
            let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            var file: [UInt8] = []
            let writer = try AgeWriter(recipients: [other.recipient, identity.recipient]) { file += $0 }
            try writer.write(plaintext)
            try writer.finish()
            let reader = try AgeReader(input: AgeInput(bytes: file), identities: [identity])
            var decrypted: [UInt8] = []
            while let chunk = try reader.next() { decrypted += chunk }
            #expect(decrypted == plaintext, "size \(size)")
        }
    }

    @Test func keysRoundTripThroughTheirText() throws {
        let identity = AgeIdentity.generate()
        let parsed = try AgeIdentity(parsing: identity.secretKeyText)
        #expect(parsed.recipient == identity.recipient)
        #expect(try AgeRecipient(parsing: identity.recipient.description) == identity.recipient)
        if let error = #expect(throws: (any Error).self, performing: { try AgeRecipient(parsing: "age1notakey") }) {
            #expect("\(error)".contains("expected a lower-case 'age1…' public key"), "\(error)")
        }
    }

    @Test func damageIsReportedClearly() throws {
        let identity = AgeIdentity.generate()
        var file: [UInt8] = []
        let writer = try AgeWriter(recipients: [identity.recipient]) { file += $0 }
        try writer.write([UInt8](repeating: 7, count: 200_000))
        try writer.finish()
        func open(_ bytes: [UInt8], _ identities: [AgeIdentity]) -> AgeError? {
            do {
                let reader = try AgeReader(input: AgeInput(bytes: bytes), identities: identities)
                while try reader.next() != nil {}
                return nil
            } catch { return error as? AgeError }
        }
        #expect(open(file, [identity]) == nil)
        #expect(open(file, [AgeIdentity.generate()]) == .noMatchingIdentity(stanzas: 1))
        var flipped = file
        flipped[flipped.count / 2] ^= 0x01
        guard case .payloadInvalid(let reason)? = open(flipped, [identity]) else { Issue.record("flipped byte not detected"); return }
        #expect(reason.contains("fails authentication"), "\(reason)")
        guard case .payloadInvalid(let truncated)? = open(Array(file.prefix(2 * (AgeWriter.chunkSize + 16) + 200)), [identity]) else {
            Issue.record("truncation not detected"); return
        }
        #expect(truncated.contains("truncated"), "\(truncated)")
        var badMAC = file
        let dashes = Array("\n--- ".utf8)
        let offset = (0..<file.count).first { Array(file[$0..<($0 + dashes.count)]) == dashes }! + dashes.count
        badMAC[offset] = badMAC[offset] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(open(badMAC, [identity]) == .headerMACMismatch)
    }
}
