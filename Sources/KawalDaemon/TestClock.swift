import Foundation
import KawalStore

/// A clock for tests of time-driven record keeping (retention, reports): the store's "now" moved
/// forward by `KAWAL_TEST_CLOCK_OFFSET` (e.g. `3650d`). Refused unless `KAWAL_ENABLE_TEST_CLOCK=1`
/// is set as well, so that a stray variable cannot make a production kawald purge years early.
/// Scheduling (timers, leases) keeps the real clock.
enum TestClock {
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// The offset in seconds, nil when no test clock is asked for.
    static func offset(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TimeInterval? {
        guard let text = environment["KAWAL_TEST_CLOCK_OFFSET"], !text.isEmpty else { return nil }
        guard environment["KAWAL_ENABLE_TEST_CLOCK"] == "1" else {
            throw Refusal(description: "KAWAL_TEST_CLOCK_OFFSET is set but the test clock is not enabled: it is for tests only; set KAWAL_ENABLE_TEST_CLOCK=1 as well in a test, unset it anywhere else")
        }
        guard let seconds = TimeContext.duration(text) else {
            throw Refusal(description: "KAWAL_TEST_CLOCK_OFFSET '\(text)' is not a duration: expected a number followed by s, m, h, d or w (e.g. 3650d)")
        }
        return seconds
    }
}
