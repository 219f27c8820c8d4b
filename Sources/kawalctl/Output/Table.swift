/// Text in aligned columns: the one way kawalctl prints lists and records for people.
///
/// A table has a header row; a field list (`Table.fields`) has labels instead. Columns are
/// two spaces apart, nothing is padded at the end of a line, and only the last column may run
/// over several lines.
///
/// ```swift
/// var table = Table(["ID", "NAME", "VILLAGE"])
/// table.append(["1", "Siti Aminah", "Sembalun"])
/// print(table.rendered)
/// // ID  NAME         VILLAGE
/// // 1   Siti Aminah  Sembalun
/// ```
struct Table {
    private var lines: [[String]] = []
    private let hasHeader: Bool

    init(_ header: [String]) {
        lines = [header]
        hasHeader = true
    }

    private init(rows: [[String]]) {
        lines = rows
        hasHeader = false
    }

    /// `Label:  value` lines with the values lined up, as `status` prints them.
    static func fields(_ pairs: [(String, String)]) -> Table {
        Table(rows: pairs.map { [$0.0 + ":", $0.1] })
    }

    mutating func append(_ row: [String]) {
        lines.append(row)
    }

    /// True when no row was added under the header.
    var isEmpty: Bool { lines.count == (hasHeader ? 1 : 0) }

    var rendered: String {
        let rows = lines.map { row in
            row.enumerated().map { index, cell in Self.clean(cell, keepingNewlines: index == row.count - 1) }
        }
        let columns = rows.map(\.count).max() ?? 0
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() where index < row.count - 1 {
                widths[index] = max(widths[index], cell.count)
            }
        }
        var output: [String] = []
        for row in rows {
            var line = ""
            for (index, cell) in row.enumerated() {
                if index == row.count - 1 {
                    // Continuation lines of the last cell start under its first line.
                    let indent = String(repeating: " ", count: line.count)
                    line += cell.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + indent)
                } else {
                    line += cell + String(repeating: " ", count: widths[index] - cell.count + 2)
                }
            }
            output.append(line.trimmingTrailingSpaces())
        }
        return output.joined(separator: "\n")
    }

    /// Prints the table, or `empty` when it has no rows.
    func print(ifEmpty empty: String) {
        Swift.print(isEmpty ? empty : rendered)
    }

    func print() {
        Swift.print(rendered)
    }

    /// Control characters from the records would move the cursor or garble the columns.
    private static func clean(_ cell: String, keepingNewlines: Bool) -> String {
        String(cell.map { character -> Character in
            if character.isNewline { return keepingNewlines ? "\n" : " " }
            return character.unicodeScalars.contains { $0.properties.generalCategory == .control } ? " " : character
        })
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
