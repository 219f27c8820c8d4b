import Foundation

/// Waits, up to `timeout` seconds, until `condition` holds, looking again every `interval`
/// seconds; returns whether it held. A test waits on what it expects to see, not for a fixed time.
///
/// ```swift
/// #expect(try waitUntil(10) { try kawald.connect().call("io.kawal.Jobs.List")["jobs"]?.arrayValue?.isEmpty == false })
/// ```
public func waitUntil(_ timeout: Double, interval: Double = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: interval)
    }
    return try condition()
}
