import KawalZstd
import Testing

@Suite struct ZstdTests {
    @Test func streamingRoundTripWithWorkers() throws {
        let plaintext = (0..<3_000_000).map { UInt8(truncatingIfNeeded: ($0 / 7) &* 13) }
        for workers in [0, 2] {
            var compressed: [UInt8] = []
            let compressor = try ZstdCompressor(level: 3, workers: workers) { compressed += $0 }
            for start in stride(from: 0, to: plaintext.count, by: 100_000) {
                try compressor.compress(Array(plaintext[start..<min(start + 100_000, plaintext.count)]))
            }
            try compressor.finish()
            #expect(compressed.count < plaintext.count / 10)
            var restored: [UInt8] = []
            let decompressor = try ZstdDecompressor { restored += $0 }
            try decompressor.decompress(compressed)
            try decompressor.finish()
            #expect(restored == plaintext)

            let truncated = try ZstdDecompressor { _ in }
            try truncated.decompress(Array(compressed.prefix(compressed.count / 2)))
            if let error = #expect(throws: (any Error).self, performing: { try truncated.finish() }) {
                #expect("\(error)".contains("truncated"), "\(error)")
            }
        }
    }
}
