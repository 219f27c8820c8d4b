/// Reads CSV (RFC 4180) from bytes in memory, one record at a time: quoted fields, doubled quotes,
/// line breaks inside quotes, CRLF or LF, a UTF-8 byte-order mark. Records are numbered as a
/// spreadsheet numbers its rows (the header is row 1), whatever line breaks their cells hold.
///
/// ```swift
/// var reader = CSVReader(bytes: Array("nama,desa\nSiti,Sembalun\n".utf8))
/// let header = try reader.next()   // ["nama", "desa"]
/// ```
struct CSVReader {
    let bytes: [UInt8]
    let delimiter: UInt8
    /// Where the next record starts: for progress.
    private(set) var offset: Int
    /// The row number of the record `next()` returned last.
    private(set) var row = 0

    struct Failure: Error, CustomStringConvertible {
        var row: Int
        var message: String
        var description: String { "row \(row): \(message)" }
    }

    /// `delimiter` nil: the one of `,`, `;` and tab that the first line holds most of (KoboToolbox
    /// exports use `;`, spreadsheets `,`).
    init(bytes: [UInt8], delimiter: UInt8? = nil) {
        self.bytes = bytes
        offset = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        self.delimiter = delimiter ?? Self.guessDelimiter(bytes[offset...])
    }

    static func guessDelimiter(_ bytes: ArraySlice<UInt8>) -> UInt8 {
        let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") }
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")]
        let counts = candidates.map { candidate in firstLine.count { $0 == candidate } }
        return candidates[counts.firstIndex(of: counts.max()!)!]
    }

    var isAtEnd: Bool { offset >= bytes.count }

    /// The next record's fields, or nil at the end of the input.
    mutating func next() throws(Failure) -> [String]? {
        guard offset < bytes.count else { return nil }
        row += 1
        var fields: [String] = []
        var index = offset
        let end = bytes.count
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        while true {
            if index < end && bytes[index] == quote {
                // A quoted field: runs to the quote not followed by another one.
                var field: [UInt8] = []
                index += 1
                var segment = index
                while true {
                    guard index < end else { throw Failure(row: row, message: "a quoted cell is not closed before the end of the file") }
                    if bytes[index] == quote {
                        field.append(contentsOf: bytes[segment..<index])
                        if index + 1 < end && bytes[index + 1] == quote {
                            field.append(quote)
                            index += 2
                            segment = index
                            continue
                        }
                        index += 1
                        break
                    }
                    index += 1
                }
                fields.append(try text(field[...]))
                guard index >= end || bytes[index] == delimiter || bytes[index] == cr || bytes[index] == lf else {
                    throw Failure(row: row, message: "a quoted cell is followed by text; a quote inside a cell is written twice (\"\")")
                }
            } else {
                let start = index
                while index < end && bytes[index] != delimiter && bytes[index] != lf && bytes[index] != cr { index += 1 }
                fields.append(try text(bytes[start..<index]))
            }
            if index < end && bytes[index] == delimiter {
                index += 1
                continue
            }
            if index < end && bytes[index] == cr { index += 1 }
            if index < end && bytes[index] == lf { index += 1 }
            offset = index
            return fields
        }
    }

    private func text(_ field: ArraySlice<UInt8>) throws(Failure) -> String {
        guard let text = String(validating: field, as: UTF8.self) else {
            throw Failure(row: row, message: "is not UTF-8 text; save the file as \"CSV UTF-8\"")
        }
        return text
    }
}

/// Writes CSV as RFC 4180 says: a cell is quoted when it holds the delimiter, a quote or a line break.
struct CSVWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ fields: [String]) {
        for (position, field) in fields.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            let utf8 = field.utf8
            if utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
                bytes.append(UInt8(ascii: "\""))
                for byte in utf8 {
                    if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                    bytes.append(byte)
                }
                bytes.append(UInt8(ascii: "\""))
            } else {
                bytes.append(contentsOf: utf8)
            }
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Hands over what was written so far and starts empty.
    mutating func take() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }
}
