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

/// A time from kawald (`2025-02-07T09:00:00+08:00`, already in the deployment's zone) as people
/// read it: `2025-02-07 09:00`. Anything else is shown as it came.
func shownTime(_ value: JSONValue?) -> String {
    guard let time = value?.stringValue else { return text(value) }
    let characters = Array(time)
    guard characters.count >= 16, characters[10] == "T", characters[13] == ":" else { return time }
    return String(characters[0..<10]) + " " + String(characters[11..<16])
}

/// An array of strings as one cell: `poor, elderly`, or `-` when empty.
func shownList(_ value: JSONValue?) -> String {
    let items = value?.arrayValue?.map { text($0) } ?? []
    return items.isEmpty ? "-" : items.joined(separator: ", ")
}

/// `1 case`, `2 cases`.
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(count == 1 ? noun : noun + "s")"
}

extension GlobalOptions {
    /// Under --json, prints kawald's complete reply and returns true; the command prints nothing else.
    func printedJSON(_ reply: [String: JSONValue]) -> Bool {
        guard json else { return false }
        print(JSONValue.object(reply).prettyPrinted())
        return true
    }
}
