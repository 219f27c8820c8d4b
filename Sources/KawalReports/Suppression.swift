/// Small-count suppression with complementary suppression, over cells tied by published totals.
///
/// The algorithm (documented for users in docs/reports.md):
/// 1. Primary: every cell with a count from 1 to k−1 is withheld and shown as `<k`.
/// 2. Complementary: a published total together with the cells it sums is one *line*. A line in
///    which exactly one figure (a cell, or the total itself) is withheld lets a reader subtract
///    its way to that figure, so a second one is withheld in that line: the smallest non-zero
///    cell still shown (it hides the most with the least loss), else a zero cell, else the
///    line's total. Withheld complements are shown as `x`.
/// 3. Step 2 repeats over every line until no line has exactly one withheld figure; a withheld
///    total is itself a cell of the line above it (desa totals sum to the grand total), so the
///    protection carries up.
///
/// Zero cells are shown: "no case" is not a figure about a person. A total of 1 to k−1 is a small
/// cell like any other.
///
/// ```swift
/// let lines = [Suppression.Line(total: 3, members: [0, 1, 2])]
/// Suppression.apply(values: [4, 5, 6, 15], lines: lines, minimumCell: 5)  // [.small, .withheld, .shown, .shown]
/// ```
public enum Suppression {
    public enum State: Sendable, Equatable {
        case shown
        /// 1 … k−1: withheld for itself.
        case small
        /// Withheld so that a small cell cannot be recovered from a total.
        case withheld

        public var isHidden: Bool { self != .shown }
    }

    /// A published total (index of its cell) and the cells that add up to it.
    public struct Line: Sendable, Equatable {
        public var total: Int
        public var members: [Int]

        public init(total: Int, members: [Int]) {
            self.total = total
            self.members = members
        }
    }

    public static func apply(values: [Int], lines: [Line], minimumCell k: Int) -> [State] {
        var states = values.map { (1..<max(k, 1)).contains($0) ? State.small : .shown }
        var changed = true
        while changed {
            changed = false
            for line in lines {
                let figures = [line.total] + line.members
                guard figures.filter({ states[$0].isHidden }).count == 1 else { continue }
                let candidates = line.members.filter { !states[$0].isHidden }
                let nonZero = candidates.filter { values[$0] > 0 }.sorted { (values[$0], $0) < (values[$1], $1) }
                let pick = nonZero.first ?? candidates.first ?? (states[line.total].isHidden ? nil : line.total)
                guard let pick else { continue }
                states[pick] = .withheld
                changed = true
            }
        }
        return states
    }

    /// True when no line has exactly one withheld figure: what a test of any published table checks.
    public static func isProtected(_ states: [State], lines: [Line]) -> Bool {
        lines.allSatisfy { line in ([line.total] + line.members).filter { states[$0].isHidden }.count != 1 }
    }
}
