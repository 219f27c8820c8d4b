import Foundation
import KawalCore

/// How the columns of a file become Kawal's import fields, and which cell values mean what.
///
/// A mapping file is a small part of TOML that kawalctl reads itself: comments, a `[columns]`
/// table of `header = "field"` (or `"ignore"`), and `[values.FIELD]` tables of `cell = "value"`.
/// Keys are bare (letters, digits, `_`, `-`) or quoted; headers and cells match in any case.
///
/// ```toml
/// [columns]
/// nama = "name"
/// "tanggal lahir" = "birth_date"
/// _uuid = "ignore"
///
/// [values.sex]
/// L = "male"
/// P = "female"
/// ```
struct ImportMapping {
    /// Lower-cased header → field; nil for a column that is read and dropped.
    var columns: [String: CaseImportField?] = [:]
    /// Field → lower-cased cell → value.
    var values: [CaseImportField: [String: String]] = [:]
    /// Where the mapping came from, for messages.
    var origin: String

    /// A line of a mapping file that kawalctl cannot use.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Without --mapping: the columns of `kawalctl export cases`, which are the field names. The
    /// export's own columns (code, status, the masked NIK) are not imported: an import opens new cases.
    static var kawalColumns: ImportMapping {
        var mapping = ImportMapping(origin: "Kawal's own column names (as 'kawalctl export cases' writes them)")
        for field in CaseImportField.allCases { mapping.columns[field.rawValue] = .some(field) }
        for exportOnly in ["code", "status", "nik_masked"] { mapping.columns[exportOnly] = .some(nil) }
        return mapping
    }

    static func load(path: String) throws(Failure) -> ImportMapping {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "\(path): cannot read the mapping file (\(String(cString: strerror(errno))))")
        }
        guard let text = String(validating: data, as: UTF8.self) else { throw Failure(description: "\(path): is not UTF-8 text") }
        return try parse(text, file: path)
    }

    static func parse(_ text: String, file: String) throws(Failure) -> ImportMapping {
        var mapping = ImportMapping(origin: file)
        var section: String?
        var valuesField: CaseImportField?
        let fieldNames = CaseImportField.allCases.map(\.rawValue).joined(separator: ", ")
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let at = "\(file):\(index + 1)"
            let line = Substring(rawLine.trimmingCharacters(in: .whitespaces))
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw Failure(description: "\(at): a table header is written [columns] or [values.FIELD]") }
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if name == "columns" {
                    section = name
                    valuesField = nil
                } else if name.hasPrefix("values.") {
                    guard let field = CaseImportField(rawValue: String(name.dropFirst("values.".count))) else {
                        throw Failure(description: "\(at): [\(name)] names no import field; expected [values.FIELD] with FIELD one of \(fieldNames)")
                    }
                    section = name
                    valuesField = field
                } else {
                    throw Failure(description: "\(at): unknown table [\(name)]; a mapping has [columns] and [values.FIELD] tables")
                }
                continue
            }
            var scanner = LineScanner(line, at: at)
            let key = try scanner.key()
            try scanner.expect("=")
            let value = try scanner.quoted()
            try scanner.expectEndOfLine()
            switch section {
            case "columns":
                let field: CaseImportField?
                if value == "ignore" {
                    field = nil
                } else if let known = CaseImportField(rawValue: value) {
                    field = known
                } else {
                    throw Failure(description: "\(at): \"\(value)\" is not an import field; expected one of \(fieldNames), or \"ignore\"")
                }
                guard mapping.columns[key.lowercased()] == nil else { throw Failure(description: "\(at): column '\(key)' is mapped twice") }
                mapping.columns[key.lowercased()] = .some(field)
            case let name? where valuesField != nil:
                guard mapping.values[valuesField!, default: [:]][key.lowercased()] == nil else {
                    throw Failure(description: "\(at): '\(key)' is given twice in [\(name)]")
                }
                mapping.values[valuesField!, default: [:]][key.lowercased()] = value
            default:
                throw Failure(description: "\(at): '\(key) = ...' comes before any table; put it under [columns] or [values.FIELD]")
            }
        }
        return mapping
    }
}

/// Reads `key = "value"  # comment` from one line of a mapping file.
private struct LineScanner {
    let characters: [Character]
    let at: String
    var index = 0

    init(_ line: Substring, at: String) {
        characters = Array(line)
        self.at = at
    }

    mutating func skipSpaces() {
        while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
    }

    mutating func key() throws(ImportMapping.Failure) -> String {
        skipSpaces()
        if index < characters.count, characters[index] == "\"" { return try quoted() }
        let start = index
        while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" || characters[index] == "-" {
            index += 1
        }
        guard index > start else {
            throw ImportMapping.Failure(description: "\(at): expected a column header (quote it if it holds spaces or other signs: \"tanggal lahir\" = \"birth_date\")")
        }
        return String(characters[start..<index])
    }

    mutating func expect(_ sign: Character) throws(ImportMapping.Failure) {
        skipSpaces()
        guard index < characters.count, characters[index] == sign else {
            throw ImportMapping.Failure(description: "\(at): expected '\(sign)' after the key (a mapping line is: header = \"field\")")
        }
        index += 1
    }

    mutating func quoted() throws(ImportMapping.Failure) -> String {
        skipSpaces()
        guard index < characters.count, characters[index] == "\"" else {
            throw ImportMapping.Failure(description: "\(at): expected a quoted value (a mapping line is: header = \"field\")")
        }
        index += 1
        var text = ""
        while index < characters.count {
            let character = characters[index]
            index += 1
            switch character {
            case "\"": return text
            case "\\":
                guard index < characters.count, characters[index] == "\"" || characters[index] == "\\" else {
                    throw ImportMapping.Failure(description: "\(at): only \\\" and \\\\ are escapes in a quoted string")
                }
                text.append(characters[index])
                index += 1
            default: text.append(character)
            }
        }
        throw ImportMapping.Failure(description: "\(at): the quoted string is not closed")
    }

    mutating func expectEndOfLine() throws(ImportMapping.Failure) {
        skipSpaces()
        guard index == characters.count || characters[index] == "#" else {
            throw ImportMapping.Failure(description: "\(at): unexpected text after the value: \(String(characters[index...]))")
        }
    }
}
