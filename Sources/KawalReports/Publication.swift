/// What a report may show: the counts of a `CountTable` with small cells withheld, plus the
/// totals a reader expects (per value of each dimension, and overall).
public struct PublishedTable: Sendable, Equatable {
    public enum Cell: Sendable, Equatable {
        case count(Int)
        /// 1 … k−1, shown as `<k`.
        case small
        /// Withheld to protect a small cell, shown as `x`.
        case withheld
        /// A figure that is not a count (a median), with one decimal.
        case number(Double)
        /// Nothing to show (no case to take a median of).
        case none
    }

    public struct Row: Sendable, Equatable {
        public var keys: [String]
        public var cells: [Cell]
    }

    public var title: String
    public var dimensions: [String]
    /// Count measures first, then summaries.
    public var columns: [String]
    public var rows: [Row]
    /// With two or more dimensions: per dimension, a total row per value.
    public var marginals: [(dimension: String, rows: [Row])]
    public var total: [Cell]
    public var minimumCell: Int

    public static func == (lhs: PublishedTable, rhs: PublishedTable) -> Bool {
        lhs.title == rhs.title && lhs.dimensions == rhs.dimensions && lhs.columns == rhs.columns && lhs.rows == rhs.rows
            && lhs.total == rhs.total && lhs.marginals.map(\.dimension) == rhs.marginals.map(\.dimension)
            && lhs.marginals.map(\.rows) == rhs.marginals.map(\.rows)
    }

    /// The cell as text: `12`, `<5`, `x`, `3.5`, `-`.
    public func text(_ cell: Cell) -> String {
        switch cell {
        case .count(let value): return String(value)
        case .small: return "<\(minimumCell)"
        case .withheld: return "x"
        case .number(let value): return Publication.oneDecimal(value)
        case .none: return "-"
        }
    }

    /// The grand total of a count column, when it is shown.
    public func shownTotal(_ column: String) -> Int? {
        guard let index = columns.firstIndex(of: column), case .count(let value) = total[index] else { return nil }
        return value
    }
}

public enum Publication {
    /// Applies suppression to every count measure of `table` with the totals it publishes.
    public static func publish(_ table: CountTable, minimumCell k: Int) -> PublishedTable {
        let n = table.keys.count
        let dimensionCount = table.dimensions.count
        // Marginal totals only where there are two or more dimensions: with one, the rows are the totals.
        let marginalValues: [[String]] = dimensionCount >= 2
            ? (0..<dimensionCount).map { d in Array(Set(table.keys.map { $0[d] })).sorted() }
            : []
        var marginalOffset: [Int] = []
        var offset = n
        for values in marginalValues {
            marginalOffset.append(offset)
            offset += values.count
        }
        let grand = offset
        var lines: [Suppression.Line] = []
        if dimensionCount >= 2 {
            for d in 0..<dimensionCount {
                for (v, value) in marginalValues[d].enumerated() {
                    lines.append(Suppression.Line(total: marginalOffset[d] + v, members: (0..<n).filter { table.keys[$0][d] == value }))
                }
                lines.append(Suppression.Line(total: grand, members: (0..<marginalValues[d].count).map { marginalOffset[d] + $0 }))
            }
        } else {
            lines.append(Suppression.Line(total: grand, members: Array(0..<n)))
        }

        var cellsByMeasure: [[PublishedTable.Cell]] = []
        for m in table.measures.indices {
            var figures = table.values.map { $0[m] }
            for (d, values) in marginalValues.enumerated() {
                for value in values {
                    figures.append((0..<n).filter { table.keys[$0][d] == value }.reduce(0) { $0 + table.values[$1][m] })
                }
            }
            figures.append(table.values.reduce(0) { $0 + $1[m] })
            let states = Suppression.apply(values: figures, lines: lines, minimumCell: k)
            cellsByMeasure.append(zip(figures, states).map { value, state in
                switch state {
                case .shown: return .count(value)
                case .small: return .small
                case .withheld: return .withheld
                }
            })
        }
        func summaryCells(at index: Int, values: (CountTable.Summary) -> Double?) -> [PublishedTable.Cell] {
            table.summaries.map { summary in
                guard let m = table.measures.firstIndex(of: summary.summaryOf) else { return .none }
                switch cellsByMeasure[m][index] {
                case .count(let count) where count > 0: return values(summary).map { .number($0) } ?? .none
                case .count: return .none
                default: return .withheld
                }
            }
        }
        let rows = (0..<n).map { i in
            PublishedTable.Row(keys: table.keys[i], cells: cellsByMeasure.map { $0[i] } + summaryCells(at: i) { $0.values[i] })
        }
        var marginals: [(dimension: String, rows: [PublishedTable.Row])] = []
        for (d, values) in marginalValues.enumerated() {
            // Medians per marginal are not computed; only counts are shown on total lines.
            let marginalRows = values.enumerated().map { v, value in
                PublishedTable.Row(keys: [value], cells: cellsByMeasure.map { $0[marginalOffset[d] + v] }
                                   + table.summaries.map { _ in PublishedTable.Cell.none })
            }
            marginals.append((table.dimensions[d], marginalRows))
        }
        let total = cellsByMeasure.map { $0[grand] } + summaryCells(at: grand) { $0.total }
        return PublishedTable(title: table.title, dimensions: table.dimensions, columns: table.measures + table.summaries.map(\.name),
                              rows: rows, marginals: marginals, total: total, minimumCell: k)
    }

    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
