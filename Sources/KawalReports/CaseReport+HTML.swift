import Foundation

/// The one-page HTML report: inline CSS and SVG, no scripts, no external assets, printable.
extension CaseReport {
    var htmlRendering: String {
        var body = "<header><h1>Laporan kasus / Case report</h1><p class=\"period\">\(Self.escape(period)) &middot; \(firstDay) – \(lastDay)</p>"
        body += "<p class=\"meta\">Generated \(Self.escape(generatedAt)) by Kawal. De-identified figures only. \(Self.escape(legend))</p></header>\n"
        if let main = tables.first {
            body += "<section class=\"totals\">"
            for column in main.columns {
                guard let index = main.columns.firstIndex(of: column) else { continue }
                body += "<div class=\"kpi\"><span class=\"value\" id=\"total-\(column)\">\(Self.escape(main.text(main.total[index])))</span>"
                    + "<span class=\"label\">\(Self.escape(Self.label(column)))</span></div>"
            }
            body += "</section>\n"
            body += chart(title: "\(Self.label("opened")) by \(Self.label(main.dimensions.first ?? "").lowercased())", bars: bars(main, column: "opened"))
        }
        for table in tables.dropFirst() where table.dimensions.count == 1 && table.title.hasPrefix("Violence") {
            body += chart(title: table.title, bars: bars(table, column: table.columns[0]))
        }
        for table in tables {
            body += "<section class=\"table\"><h2>\(Self.escape(table.title))</h2><table>"
            let lines = grid(table)
            body += "<thead><tr>" + lines[0].map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            for (n, line) in lines.dropFirst().enumerated() {
                let isTotal = n >= table.rows.count
                body += "<tr\(isTotal ? " class=\"total\"" : "")>" + line.enumerated().map { c, cell in
                    c < table.dimensions.count ? "<th scope=\"row\">\(Self.escape(cell))</th>" : "<td>\(Self.escape(cell))</td>"
                }.joined() + "</tr>"
            }
            body += "</tbody></table></section>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="id"><head><meta charset="utf-8"><title>\(Self.escape(heading))</title>
            <style>
            body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#1d2733;font-size:13px}
            h1{font-size:20px;margin:0}h2{font-size:15px;margin:18px 0 6px}
            .period{font-size:15px;margin:4px 0}.meta{color:#56606b;font-size:11px}
            .totals{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
            .kpi{border:1px solid #c9d1d9;border-radius:6px;padding:8px 12px;min-width:110px}
            .kpi .value{display:block;font-size:22px;font-weight:bold}.kpi .label{font-size:11px;color:#56606b}
            table{border-collapse:collapse;margin-bottom:8px}th,td{border:1px solid #c9d1d9;padding:3px 8px}
            td{text-align:right}thead th{background:#eef2f6}tr.total th,tr.total td{background:#f6f8fa;font-weight:bold}
            figure{margin:12px 0;page-break-inside:avoid}figcaption{font-weight:bold;margin-bottom:4px}
            section.table{page-break-inside:avoid}
            @media print{body{margin:10mm}.kpi{border-color:#888}}
            </style></head>
            <body>
            \(body)</body></html>

            """
    }

    /// Bars for a one-column chart: per value of the first dimension (its totals when there are several dimensions).
    func bars(_ table: PublishedTable, column: String) -> [(label: String, cell: PublishedTable.Cell)] {
        guard let index = table.columns.firstIndex(of: column) else { return [] }
        if let first = table.marginals.first {
            return first.rows.map { ($0.keys[0], $0.cells[index]) }
        }
        return table.rows.map { ($0.keys.joined(separator: " "), $0.cells[index]) }
    }

    func chart(title: String, bars: [(label: String, cell: PublishedTable.Cell)]) -> String {
        guard !bars.isEmpty else { return "" }
        let maximum = bars.compactMap { if case .count(let v) = $0.cell { return v } else { return nil } }.max() ?? 0
        let rowHeight = 22
        let labelWidth = 170
        let barWidth = 360
        let height = bars.count * rowHeight + 8
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + barWidth + 60)\" height=\"\(height)\" role=\"img\" aria-label=\"\(Self.escape(title))\">"
        for (i, bar) in bars.enumerated() {
            let y = i * rowHeight + 4
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 15)\" text-anchor=\"end\" font-size=\"12\">\(Self.escape(bar.label))</text>"
            let text: String
            var width = 0
            switch bar.cell {
            case .count(let value):
                width = maximum > 0 ? max(1, value * barWidth / maximum) : 0
                text = String(value)
            case .small: text = "<\(minimumCell)"
            case .withheld: text = "x"
            case .number(let value): text = Publication.oneDecimal(value)
            case .none: text = "-"
            }
            if width > 0 {
                svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(width)\" height=\"\(rowHeight - 6)\" fill=\"#2f6f9f\"/>"
            } else if bar.cell != .count(0) {
                svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"12\" height=\"\(rowHeight - 6)\" fill=\"none\" stroke=\"#8a949e\" stroke-dasharray=\"2 2\"/>"
            }
            svg += "<text x=\"\(labelWidth + max(width, 12) + 6)\" y=\"\(y + 15)\" font-size=\"12\">\(Self.escape(text))</text>"
        }
        svg += "</svg>"
        return "<figure><figcaption>\(Self.escape(title))</figcaption>\(svg)</figure>\n"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
