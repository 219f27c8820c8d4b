import ArgumentParser
import Varlink

/// The paging options of every list: kawald answers a page at a time, with a `next` cursor.
struct Paging: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("How many to fetch per page (kawald's default is 50, at most 500).", valueName: "n"))
    var limit: Int?

    @Option(name: .long, help: ArgumentHelp("Start after this cursor: the 'next' that an earlier page ended with.", valueName: "cursor"))
    var after: String?

    @Flag(name: .long, help: "Fetch every page, one after the other, and show them all.")
    var all = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    var parameters: [String: JSONValue] {
        var parameters: [String: JSONValue] = [:]
        if let limit { parameters["limit"] = .int(Int64(limit)) } else if all { parameters["limit"] = 500 }
        if let after { parameters["after"] = .string(after) }
        return parameters
    }

    /// Under a table: how to see the rest, when kawald said there is more.
    func printContinuation(of reply: [String: JSONValue]) {
        if !all, let next = reply["next"]?.stringValue {
            print("More: add --after \(next), or --all for everything.")
        }
    }
}
