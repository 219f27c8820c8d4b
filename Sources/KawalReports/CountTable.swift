/// A table of counts grouped by one or more dimensions (desa, type, …), before anything is
/// published: the raw figures the store computed. `Publication` turns it into what may be shown.
///
/// ```swift
/// var table = CountTable(title: "Cases", dimensions: ["desa", "type"], measures: ["opened", "resolved"])
/// table.add(["Sembalun", "violence"], [4, 1])
/// let published = Publication.publish(table, minimumCell: 5)
/// ```
public struct CountTable: Sendable, Equatable {
    public var title: String
    public var dimensions: [String]
    public var measures: [String]
    /// One entry per combination of dimension values, in the order added.
    public var rows: [(keys: [String], values: [Int])] { zip(keys, values).map { ($0, $1) } }
    public private(set) var keys: [[String]] = []
    public private(set) var values: [[Int]] = []
    /// Figures that are not counts (e.g. a median), per row, shown only where the count they
    /// summarise is itself shown. `summaryOf` names the count measure each one depends on.
    public var summaries: [Summary] = []

    public struct Summary: Sendable, Equatable {
        public var name: String
        public var summaryOf: String
        /// Per row, in the order of `keys`; nil when there is nothing to summarise.
        public var values: [Double?]
        /// Over all rows (for the total line).
        public var total: Double?

        public init(name: String, summaryOf: String, values: [Double?], total: Double?) {
            self.name = name
            self.summaryOf = summaryOf
            self.values = values
            self.total = total
        }
    }

    public init(title: String, dimensions: [String], measures: [String]) {
        self.title = title
        self.dimensions = dimensions
        self.measures = measures
    }

    /// Adds to the row with these keys (creating it): counts for the same keys add up.
    public mutating func add(_ rowKeys: [String], _ rowValues: [Int]) {
        precondition(rowKeys.count == dimensions.count && rowValues.count == measures.count)
        if let index = keys.firstIndex(of: rowKeys) {
            for (m, value) in rowValues.enumerated() { values[index][m] += value }
        } else {
            keys.append(rowKeys)
            values.append(rowValues)
        }
    }

    /// Sets one measure of a row (creating the row with zeros).
    public mutating func set(_ rowKeys: [String], measure: String, _ value: Int) {
        guard let m = measures.firstIndex(of: measure) else { preconditionFailure("no measure \(measure)") }
        if keys.firstIndex(of: rowKeys) == nil { add(rowKeys, Array(repeating: 0, count: measures.count)) }
        values[keys.firstIndex(of: rowKeys)!][m] = value
    }

    /// Rows sorted by their keys, so that a report reads the same every time.
    public mutating func sortRows() {
        let order = keys.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
        keys = order.map { keys[$0] }
        values = order.map { values[$0] }
        for s in summaries.indices { summaries[s].values = order.map { summaries[s].values[$0] } }
    }

    public static func == (lhs: CountTable, rhs: CountTable) -> Bool {
        lhs.title == rhs.title && lhs.dimensions == rhs.dimensions && lhs.measures == rhs.measures && lhs.keys == rhs.keys
            && lhs.values == rhs.values && lhs.summaries == rhs.summaries
    }
}
