import Foundation
import Varlink

extension VarlinkConnection {
    /// Whether nothing due by `horizon` can still run: no job is leased, and every pending job is due later.
    /// A test that expects something not to happen (a cancelled reminder, a repeat) waits for this
    /// instead of sleeping past the moment it would have happened.
    ///
    /// ```swift
    /// #expect(waitUntil(20) { try c.jobsSettled(dueBy: Date().addingTimeInterval(6)) })
    /// ```
    public func jobsSettled(dueBy horizon: Date) throws -> Bool {
        let times = ISO8601DateFormatter()
        for state in ["leased", "pending"] {
            var after: JSONValue = .null
            repeat {
                var parameters: [String: JSONValue] = ["state": .string(state), "limit": 500]
                if after != .null { parameters["after"] = after }
                let page = try call("io.kawal.Jobs.List", parameters)
                for job in page["jobs"]?.arrayValue ?? [] {
                    guard state == "pending", let due = job["due_at"]?.stringValue.flatMap(times.date(from:)), due > horizon else { return false }
                }
                after = page["next"] ?? .null
            } while after != .null
        }
        return true
    }
}
