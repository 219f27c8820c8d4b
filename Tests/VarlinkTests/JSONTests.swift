import Testing
@testable import Varlink

@Suite struct JSONTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue(parsing: #"{"a": [1, -2, 3.5, 1e3, true, false, null], "b": {"c": "d"}, "e": ""}"#)
        #expect(value == ["a": [1, -2, 3.5, 1000.0, true, false, nil], "b": ["c": "d"], "e": ""])
    }

    @Test func keepsIntegersApartFromFloats() throws {
        #expect(try JSONValue(parsing: "1") == .int(1))
        #expect(try JSONValue(parsing: "1.0") == .double(1.0))
        #expect(try JSONValue(parsing: "-9223372036854775808") == .int(.min))
        // Beyond Int64 the number is still a number, as a float.
        #expect(try JSONValue(parsing: "18446744073709551616") == .double(18446744073709551616.0))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue(parsing: #""tab\t nl\n quote\" slash\/ back\\ \u00e9 \ud83d\ude00""#)
        #expect(value == .string("tab\t nl\n quote\" slash/ back\\ é 😀"))
    }

    @Test func roundTripsThroughTheSerializer() throws {
        let original: JSONValue = ["text": "Désa Sembalun \"lama\"\n\u{01}", "n": 42, "f": 0.25, "list": [nil, true], "empty": [:]]
        let text = original.jsonString
        #expect(try JSONValue(parsing: text) == original)
        #expect(!text.utf8.contains(0), "a serialized message must never contain NUL, the frame terminator")
    }

    @Test func serializesObjectsInSortedOrder() {
        #expect(JSONValue.object(["b": 1, "a": 2]).jsonString == #"{"a":2,"b":1}"#)
    }

    @Test(arguments: [
        ("{", "expected a member name"),
        ("[", "unexpected end of input"),
        (#"{"a" 1}"#, "expected ':'"),
        (#"{"a": 1,}"#, "expected a member name"),
        ("[1 2]", "expected ',' or ']'"),
        ("01", "leading zero"),
        ("tru", "unexpected end of input"),
        (#""\x""#, "invalid escape"),
        (#""\ud800""#, "unpaired UTF-16 surrogate"),
        ("\"a\u{01}\"", "control character"),
        ("{} {}", "unexpected data after"),
        ("1.", "expected a digit after '.'"),
    ])
    func rejectsInvalidJSON(input: String, reason: String) {
        #expect {
            try JSONValue(parsing: input)
        } throws: { error in
            (error as? JSONParseError)?.reason.contains(reason) == true
        }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]  // "a" followed by a broken two-byte sequence
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: bytes) }
        let overlong: [UInt8] = [0x22, 0xC0, 0xAF, 0x22]
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: overlong) }
    }

    @Test func limitsNesting() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect {
            try JSONValue(parsing: deep)
        } throws: { error in
            (error as? JSONParseError)?.reason.contains("nesting deeper") == true
        }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValue(parsing: fine)) != nil)
    }
}
