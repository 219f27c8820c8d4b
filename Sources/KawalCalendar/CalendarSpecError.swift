/// Why an expression is not a calendar event, where, and what would have been accepted there.
///
/// ```
/// 'Mon..Fry 08:00': at character 6 ('Fry 08:00'): 'Fry' is not a weekday; expected Mon, Tue, Wed, Thu, Fri, Sat or Sun (or the full name)
/// ```
public struct CalendarSpecError: Error, Equatable, Sendable, CustomStringConvertible {
    public let expression: String
    /// Where the problem starts, counted in characters from 1; nil when it concerns the whole expression.
    public let column: Int?
    /// What is wrong.
    public let problem: String
    /// What would be accepted instead.
    public let expected: String

    init(expression: String, byteOffset: Int?, problem: String, expected: String) {
        self.expression = expression
        if let byteOffset {
            let utf8 = Array(expression.utf8)
            let prefix = String(decoding: utf8[..<min(byteOffset, utf8.count)], as: UTF8.self)
            column = prefix.count + 1
        } else {
            column = nil
        }
        self.problem = problem
        self.expected = expected
    }

    public var description: String {
        var text = "'\(expression)': "
        if let column {
            let rest = String(expression.dropFirst(column - 1))
            text += rest.isEmpty ? "at the end: " : "at character \(column) ('\(rest)'): "
        }
        return text + problem + "; expected " + expected
    }
}
