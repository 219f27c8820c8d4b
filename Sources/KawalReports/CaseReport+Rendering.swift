import Foundation

/// Plain renderings of a report: aligned text, CSV and Markdown.
extension CaseReport {
    public func rendered(_ format: Format) -> String {
        switch format {
        case .table: return textRendering
        case .csv: return csvRendering
        case .md: return markdownRendering
        case .html: return htmlRendering
        case .json: return ""
        }
    }

    /// Every line of a table as cells: header, rows, total rows per dimension, grand total.
    func grid(_ table: PublishedTable) -> [[String]] {
        var lines: [[String]] = [table.dimensions.map(Self.label) + table.columns.map(Self.label)]
        for row in table.rows { lines.append(row.keys + row.cells.map(table.text)) }
        for marginal in table.marginals {
            for row in marginal.rows {
                let keys = table.dimensions.map { $0 == marginal.dimension ? row.keys[0] : "(all)" }
                lines.append(keys + row.cells.map(table.text))
            }
        }
        lines.append(["Total"] + Array(repeating: "", count: max(table.dimensions.count - 1, 0)) + table.total.map(table.text))
        return lines
    }

    var heading: String { "Kawal case report \(period) (\(firstDay) to \(lastDay))" }

    var textRendering: String {
        var out = heading + "\n" + legend + "\n"
        for table in tables {
            out += "\n" + table.title + "\n"
            let lines = grid(table)
            let widths = (0..<(lines.map(\.count).max() ?? 0)).map { c in lines.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
            for line in lines {
                var text = ""
                for (c, cell) in line.enumerated() {
                    let padded = c == line.count - 1 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count + 2)
                    text += padded
                }
                out += text + "\n"
            }
        }
        return out
    }

    /// One block per table, each row starting with the table's name, blocks separated by a blank line.
    var csvRendering: String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "<" }) && text != "<\(minimumCell)"
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var blocks: [String] = []
        for table in tables {
            let lines = grid(table)
            var block = "table," + lines[0].map(field).joined(separator: ",") + "\n"
            for line in lines.dropFirst() { block += field(table.title) + "," + line.map(field).joined(separator: ",") + "\n" }
            blocks.append(block)
        }
        return blocks.joined(separator: "\n")
    }

    var markdownRendering: String {
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "<", with: "&lt;") }
        var out = "# \(heading)\n\n\(cell(legend))\n"
        for table in tables {
            let lines = grid(table)
            out += "\n## \(table.title)\n\n"
            out += "| " + lines[0].map(cell).joined(separator: " | ") + " |\n"
            out += "|" + lines[0].enumerated().map { c, _ in c < table.dimensions.count ? " --- |" : " ---: |" }.joined() + "\n"
            for line in lines.dropFirst() { out += "| " + line.map(cell).joined(separator: " | ") + " |\n" }
        }
        return out
    }
}

