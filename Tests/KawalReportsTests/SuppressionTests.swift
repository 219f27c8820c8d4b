import KawalReports
import Testing

@Suite struct SuppressionTests {
    func byDesa(_ counts: [(String, Int)]) -> PublishedTable {
        var table = CountTable(title: "Cases", dimensions: ["desa"], measures: ["opened"])
        for (desa, count) in counts { table.add([desa], [count]) }
        return Publication.publish(table, minimumCell: 5)
    }

    func shown(_ table: PublishedTable) -> [String: String] {
        Dictionary(uniqueKeysWithValues: table.rows.map { ($0.keys.joined(separator: "/"), table.text($0.cells[0])) })
    }

    @Test func cellsAtFourFiveAndSix() {
        // 4 is small; the total (15) would give it away from 5 and 6, so the smallest other cell is withheld too.
        let table = byDesa([("Sembalun", 4), ("Selong", 5), ("Masbagik", 6)])
        #expect(shown(table) == ["Sembalun": "<5", "Selong": "x", "Masbagik": "6"])
        #expect(table.text(table.total[0]) == "15")
    }

    @Test func fiveIsShownWhenNothingNeedsHiding() {
        let table = byDesa([("Sembalun", 5), ("Selong", 6), ("Masbagik", 9)])
        #expect(shown(table) == ["Sembalun": "5", "Selong": "6", "Masbagik": "9"])
    }

    @Test func twoSmallCellsProtectEachOther() {
        let table = byDesa([("Sembalun", 4), ("Aikmel", 3), ("Selong", 5), ("Masbagik", 6)])
        #expect(shown(table) == ["Sembalun": "<5", "Aikmel": "<5", "Selong": "5", "Masbagik": "6"])
    }

    @Test func zeroIsShownAndNeverCountsAsSmall() {
        let table = byDesa([("Sembalun", 0), ("Selong", 7)])
        #expect(shown(table) == ["Sembalun": "0", "Selong": "7"])
    }

    @Test func aSmallTotalIsWithheldAndItsOnlyCellWithIt() {
        let table = byDesa([("Sembalun", 3), ("Selong", 0)])
        #expect(table.text(table.total[0]) == "<5")
        #expect(shown(table)["Sembalun"] == "<5")
    }

    /// desa × type with row and column totals: the desa total 24 minus the 20 beside it would give
    /// the 4 away; the type total 34 minus 30 would too. Every line must hide two figures or none,
    /// and the hidden small cell must have more than one value consistent with what is shown.
    @Test func aTotalThatWouldRevealASmallCell() {
        var table = CountTable(title: "Cases", dimensions: ["desa", "type"], measures: ["opened"])
        table.add(["Sembalun", "document"], [4])
        table.add(["Sembalun", "bpjs"], [20])
        table.add(["Selong", "document"], [30])
        table.add(["Selong", "bpjs"], [25])
        let published = Publication.publish(table, minimumCell: 5)
        let cells = shown(published)
        #expect(cells["Sembalun/document"] == "<5")
        #expect(cells.values.filter { $0 == "x" }.count >= 2)
        let desaTotals = Dictionary(uniqueKeysWithValues: published.marginals[0].rows.map { ($0.keys[0], published.text($0.cells[0])) })
        let typeTotals = Dictionary(uniqueKeysWithValues: published.marginals[1].rows.map { ($0.keys[0], published.text($0.cells[0])) })
        #expect(desaTotals == ["Sembalun": "24", "Selong": "55"])
        #expect(typeTotals == ["document": "34", "bpjs": "45"])
        // What a reader can still solve for: every value t of the small cell in 1…4 that keeps the
        // other cells (derived from the totals shown) non-negative. More than one means it is safe.
        let candidates = (1...4).filter { t in
            let sembalunBPJS = 24 - t
            let selongDocument = 34 - t
            let selongBPJS = 45 - sembalunBPJS
            return sembalunBPJS >= 0 && selongDocument >= 0 && selongBPJS >= 0 && selongDocument + selongBPJS == 55
        }
        #expect(candidates.count > 1)
    }

    @Test func everyLineHidesNoneOrAtLeastTwo() {
        // A generated 6 × 4 table with counts from 0 to 12.
        var table = CountTable(title: "Cases", dimensions: ["desa", "type"], measures: ["opened"])
        var seed: UInt64 = 42
        for desa in ["A", "B", "C", "D", "E", "F"] {
            for type in ["document", "bpjs", "violence", "other"] {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                table.add([desa, type], [Int(seed >> 33) % 13])
            }
        }
        let published = Publication.publish(table, minimumCell: 5)
        for row in published.rows {
            if case .count(let value) = row.cells[0] { #expect(value == 0 || value >= 5) }
        }
        var lines: [[PublishedTable.Cell]] = []
        for (d, marginal) in published.marginals.enumerated() {
            for total in marginal.rows {
                lines.append([total.cells[0]] + published.rows.filter { $0.keys[d] == total.keys[0] }.map { $0.cells[0] })
            }
            lines.append([published.total[0]] + marginal.rows.map { $0.cells[0] })
        }
        for line in lines {
            let hidden = line.filter { $0 == .small || $0 == .withheld }.count
            #expect(hidden != 1)
        }
    }

    @Test func mediansAreWithheldWithTheirCount() {
        var table = CountTable(title: "Cases", dimensions: ["desa"], measures: ["resolved"])
        table.add(["Sembalun"], [3])
        table.add(["Selong"], [8])
        table.add(["Masbagik"], [9])
        table.summaries = [CountTable.Summary(name: "median_days_to_resolution", summaryOf: "resolved", values: [2, 10.5, 4], total: 6)]
        let published = Publication.publish(table, minimumCell: 5)
        let medians = Dictionary(uniqueKeysWithValues: published.rows.map { ($0.keys[0], published.text($0.cells[1])) })
        #expect(medians == ["Sembalun": "x", "Selong": "x", "Masbagik": "4.0"])
        #expect(published.text(published.total[1]) == "6.0")
    }
}

@Suite struct RenderingTests {
    var report: CaseReport {
        var table = CountTable(title: "Cases", dimensions: ["desa"], measures: ["opened"])
        table.add(["Sembalun"], [4])
        table.add(["Selong"], [5])
        table.add(["Masbagik, Timur"], [6])
        return CaseReport(period: "2025-01..2025-03", firstDay: "2025-01-01", lastDay: "2025-03-31", generatedAt: "2025-04-01T07:00:00+08:00",
                          minimumCell: 5, dimensions: ["desa"], tables: [Publication.publish(table, minimumCell: 5)])
    }

    @Test func csvQuotesWhatNeedsIt() {
        let csv = report.rendered(.csv)
        #expect(csv.contains("table,Desa,Opened\n"))
        #expect(csv.contains("Cases,Sembalun,<5\n"))
        #expect(csv.contains("Cases,\"Masbagik, Timur\",6\n"))
        #expect(csv.contains("Cases,Total,15\n"))
    }

    @Test func markdownEscapesTheSmallMarker() {
        let md = report.rendered(.md)
        #expect(md.contains("| Sembalun | &lt;5 |"))
        #expect(md.contains("| Total | 15 |"))
    }

    @Test func htmlIsSelfContained() {
        let html = report.rendered(.html)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg"))
        #expect(html.contains("id=\"total-opened\">15<"))
        for external in ["<script", "src=", "href=", "url(", "@import"] {
            #expect(!html.contains(external), "\(external) in the HTML report")
        }
    }
}
