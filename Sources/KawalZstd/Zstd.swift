import CZstd

/// A libzstd failure, with libzstd's own description.
public struct ZstdError: Error, Sendable, CustomStringConvertible {
    public var description: String

    static func check(_ code: Int, _ operation: String) throws(ZstdError) -> Int {
        if ZSTD_isError(code) != 0 { throw ZstdError(description: "zstd \(operation): \(String(cString: ZSTD_getErrorName(code)))") }
        return code
    }
}

/// Streaming zstd compression (one frame), output handed to `sink` as it is produced. With
/// `workers` > 0 and a libzstd built with threads, compression runs on that many threads.
///
/// ```swift
/// let compressor = try ZstdCompressor(level: 3, workers: 2) { try writer.write($0) }
/// try compressor.compress(bytes)
/// try compressor.finish()
/// ```
public final class ZstdCompressor {
    private let context: OpaquePointer
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private var output: [UInt8]
    /// Worker threads in use (0 when libzstd has no thread support).
    public let workers: Int

    public init(level: Int = 3, workers: Int = 0, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let context = ZSTD_createCCtx() else { throw ZstdError(description: "zstd: cannot allocate a compression context") }
        self.context = context
        self.sink = sink
        output = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
        _ = try ZstdError.check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(level)), "level \(level)")
        _ = try ZstdError.check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1), "checksum")
        if workers > 0, ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, Int32(workers))) == 0 {
            self.workers = workers
        } else {
            self.workers = 0
        }
    }

    deinit { ZSTD_freeCCtx(context) }

    /// The levels libzstd accepts.
    public static var levels: ClosedRange<Int> { Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel()) }

    public func compress(_ bytes: UnsafeRawBufferPointer) throws {
        var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        while input.pos < input.size {
            try step(&input, ZSTD_e_continue)
        }
    }

    public func compress(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try compress($0) } }

    /// Ends the frame and flushes everything.
    public func finish() throws {
        var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while try step(&input, ZSTD_e_end) != 0 {}
    }

    @discardableResult
    private func step(_ input: inout ZSTD_inBuffer, _ directive: ZSTD_EndDirective) throws -> Int {
        let capacity = output.count
        var produced = 0
        let code = output.withUnsafeMutableBytes { raw in
            var out = ZSTD_outBuffer(dst: raw.baseAddress, size: capacity, pos: 0)
            let code = ZSTD_compressStream2(context, &out, &input, directive)
            produced = out.pos
            return code
        }
        let remaining = try ZstdError.check(code, "compress")
        if produced > 0 { try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[..<produced])) } }
        return remaining
    }
}

/// Streaming zstd decompression; `finish()` fails when the input ended inside a frame.
public final class ZstdDecompressor {
    private let context: OpaquePointer
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private var output: [UInt8]
    private var frameOpen = false
    private var sawInput = false

    public init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let context = ZSTD_createDCtx() else { throw ZstdError(description: "zstd: cannot allocate a decompression context") }
        self.context = context
        self.sink = sink
        output = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
        // Frames from `zstd --long` or high levels may use windows up to 2 GiB.
        _ = try ZstdError.check(ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, 31), "window")
    }

    deinit { ZSTD_freeDCtx(context) }

    public func decompress(_ bytes: UnsafeRawBufferPointer) throws {
        var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        if bytes.count > 0 { sawInput = true }
        let capacity = output.count
        while true {
            var produced = 0
            let code = output.withUnsafeMutableBytes { raw in
                var out = ZSTD_outBuffer(dst: raw.baseAddress, size: capacity, pos: 0)
                let code = ZSTD_decompressStream(context, &out, &input)
                produced = out.pos
                return code
            }
            let hint = try ZstdError.check(code, "decompress")
            frameOpen = hint != 0
            if produced > 0 { try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[..<produced])) } }
            if input.pos == input.size && produced < capacity { break }
        }
    }

    public func decompress(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try decompress($0) } }

    public func finish() throws {
        guard sawInput else { throw ZstdError(description: "zstd: no compressed data") }
        guard !frameOpen else { throw ZstdError(description: "zstd: the compressed data ends inside a frame (truncated)") }
    }
}
