/// A timestamp that could not be read.
public struct TimestampError: Error, Equatable, Sendable, CustomStringConvertible {
    public let text: String

    public var description: String {
        "'\(text)' is not a timestamp; expected YYYY-MM-DD [HH:MM[:SS[.FRACTION]]] [UTC|ZONE], HH:MM[:SS], @SECONDS, "
            + "now, today, yesterday, tomorrow, +SPAN, -SPAN or SPAN ago (e.g. '2025-01-01 00:00:00 UTC' or '@1735689600')"
    }
}
