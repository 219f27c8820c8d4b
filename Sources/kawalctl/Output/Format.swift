import Varlink

/// A reply value as a table cell: `-` for nothing, `yes`/`no` for booleans.
func text(_ value: JSONValue?) -> String {
    switch value {
    case .string(let s)?: return s
    case .int(let i)?: return String(i)
    case .bool(let b)?: return b ? "yes" : "no"
    case .double(let d)?: return String(d)
    case nil, .null?: return "-"
    case let other?: return other.jsonString
    }
}
