import Crypto
import Foundation
import KawalAge
import KawalBackup
import KawalZstd
#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 as lower-case hex.
extension SHA256.Digest {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}

/// Reads a file in 1 MiB blocks: mapped into memory (no copy through read(2); a snapshot in
/// /dev/shm is then read straight from where kawald wrote it), or with read(2) where mapping fails.
func readFile(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw ToolError("cannot open \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) == 0, info.st_size > 0, let mapped = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED {
        defer { munmap(mapped, Int(info.st_size)) }
        _ = madvise(mapped, Int(info.st_size), MADV_SEQUENTIAL)
        let whole = UnsafeRawBufferPointer(start: mapped, count: Int(info.st_size))
        var offset = 0
        while offset < whole.count {
            let end = min(offset + (1 << 20), whole.count)
            try body(UnsafeRawBufferPointer(rebasing: whole[offset..<end]))
            offset = end
        }
        return
    }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw ToolError("read error in \(path): \(String(cString: strerror(errno)))")
        }
        if count == 0 { return }
        try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }
}

func fileSize(_ path: String) -> Int64 {
    var info = stat()
    return stat(path, &info) == 0 ? Int64(info.st_size) : 0
}

struct ToolError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A progress bar on stderr when it is a terminal, and each whole percent handed to `report`
/// (the plugin tells kawald, which tells `kawalctl backup now`).
final class Progress {
    let label: String
    let total: Int64
    private var done: Int64 = 0
    private var shown = -1
    private let enabled = isatty(STDERR_FILENO) == 1
    private let report: ((_ done: Int64, _ total: Int64) -> Void)?

    init(_ label: String, total: Int64, report: ((_ done: Int64, _ total: Int64) -> Void)? = nil) {
        self.label = label
        self.total = max(total, 1)
        self.report = report
    }

    func advance(_ count: Int) {
        done += Int64(count)
        let percent = Int(min(100, done * 100 / total))
        guard percent != shown else { return }
        shown = percent
        report?(done, total)
        guard enabled else { return }
        let filled = percent * 30 / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(percent)% \(done >> 20) MiB".utf8))
    }

    func end() {
        if enabled && shown >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// snapshot → SHA-256 → zstd → age → SHA-256 → atomic file: one pass, bounded memory.
struct EncryptedBackupWriter {
    var recipients: [AgeRecipient]
    var level: Int
    var threads: Int

    struct Result {
        var plaintextBytes: Int64
        var plaintextSHA256: String
        var compressedBytes: Int64
        var ciphertextBytes: Int64
        var ciphertextSHA256: String
    }

    func write(snapshot: String, to path: String, progress: Progress?) throws -> Result {
        let file = try AtomicFile(path: path, mode: 0o640)
        var cipherHash = SHA256()
        var plainHash = SHA256()
        var plaintextBytes: Int64 = 0
        var compressedBytes: Int64 = 0
        let age = try AgeWriter(recipients: recipients) { bytes in
            cipherHash.update(bufferPointer: bytes)
            try file.write(bytes)
        }
        let zstd = try ZstdCompressor(level: level, workers: threads) { bytes in
            compressedBytes += Int64(bytes.count)
            try age.write(bytes)
        }
        do {
            try readFile(snapshot) { bytes in
                plainHash.update(bufferPointer: bytes)
                plaintextBytes += Int64(bytes.count)
                try zstd.compress(bytes)
                progress?.advance(bytes.count)
            }
            try zstd.finish()
            try age.finish()
            try file.commit()
        } catch {
            file.abort()
            throw error
        }
        progress?.end()
        return Result(plaintextBytes: plaintextBytes, plaintextSHA256: plainHash.finalize().hex, compressedBytes: compressedBytes,
                      ciphertextBytes: file.bytesWritten, ciphertextSHA256: cipherHash.finalize().hex)
    }
}

/// age → zstd → plaintext, hashed on the way, into `output` (or only hashed when nil).
struct BackupDecryptor {
    var identities: [AgeIdentity]

    struct Result {
        var ciphertextSHA256: String
        var plaintextBytes: Int64
        var plaintextSHA256: String
    }

    func decrypt(input path: String, output: AtomicFile?, progress: Progress?) throws -> Result {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ToolError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var cipherHash = SHA256()
        let raw = AgeInput { buffer in
            while true {
                let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if count >= 0 {
                    cipherHash.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                    progress?.advance(count)
                    return count
                }
                if errno != EINTR { throw ToolError("read error in \(path): \(String(cString: strerror(errno)))") }
            }
        }
        // A file made with `age -a` (ASCII armor) is taken out of its armor first.
        let input = try raw.dearmored()
        var plainHash = SHA256()
        var plaintextBytes: Int64 = 0
        let zstd = try ZstdDecompressor { bytes in
            plainHash.update(bufferPointer: bytes)
            plaintextBytes += Int64(bytes.count)
            try output?.write(bytes)
        }
        let reader = try AgeReader(input: input, identities: identities)
        while let chunk = try reader.next() {
            try chunk.withUnsafeBytes { try zstd.decompress($0) }
        }
        try zstd.finish()
        progress?.end()
        return Result(ciphertextSHA256: cipherHash.finalize().hex, plaintextBytes: plaintextBytes, plaintextSHA256: plainHash.finalize().hex)
    }
}
