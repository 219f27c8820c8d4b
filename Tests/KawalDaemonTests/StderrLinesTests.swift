import Testing
@testable import KawalDaemon

/// A plugin's stderr, line by line, with a bound on what kawald holds of it.
@Suite struct StderrLinesTests {
    @Test func linesAcrossChunks() {
        var lines = StderrLines()
        #expect(lines.append(Array("<6>ready\n<3>conn".utf8)) == ["<6>ready"])
        #expect(lines.append(Array("ection lost\n\n".utf8)) == ["<3>connection lost", ""])
        #expect(lines.finish() == nil)
    }

    @Test func aLineWithoutEndIsFiledInPiecesNotHeld() {
        var lines = StderrLines(limit: 8)
        var filed: [String] = []
        for _ in 0..<1000 { filed += lines.append(Array("xxxx".utf8)) }
        #expect(filed.count == 500)
        #expect(filed.allSatisfy { $0 == "xxxxxxxx…" })
        #expect(lines.append(Array("yy\n".utf8)) == ["yy"])
        #expect(lines.append(Array("tail".utf8)) == [])
        #expect(lines.finish() == "tail")
    }
}
