import Foundation
import Testing
@testable import KawalStore

@Suite struct NameKeyTests {
    @Test func namesCompareWithoutCaseAccentsOrPunctuation() {
        #expect(PersonRecord.nameKey("  Siti  AMINAH-binti_Lalu 2 ") == "siti aminah binti lalu 2")
        #expect(PersonRecord.nameKey("Baiq Ṣiti Ñurul") == "baiq siti nurul")
        #expect(PersonRecord.nameKey("L. Muh. Zaini, S.Pd.") == "l muh zaini s pd")
        #expect(PersonRecord.nameKey("---") == "")
    }

    /// The byte-wise path for ASCII names gives what Foundation's folding gives.
    @Test func asciiNamesGiveWhatFoldingGives() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let name = String((0..<Int.random(in: 0...24, using: &generator)).map { _ in
                Character(Unicode.Scalar(UInt8.random(in: 0...127, using: &generator)))
            })
            let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            let words = folded.split(whereSeparator: { !($0.isLetter || $0.isNumber) })
            #expect(PersonRecord.nameKey(name) == words.joined(separator: " "), "\(Array(name.utf8))")
        }
    }
}
