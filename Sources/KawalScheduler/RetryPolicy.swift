import Foundation

/// Exponential back-off with a cap, and a limit on attempts after which a job is dead.
///
/// ```swift
/// let policy = RetryPolicy(base: 10, cap: 3600, maxAttempts: 8)
/// policy.retryAt(afterAttempt: 3, now: now)   // now + 40 s
/// policy.retryAt(afterAttempt: 8, now: now)   // nil: dead letter
/// ```
public struct RetryPolicy: Sendable, Equatable {
    public var base: TimeInterval
    public var cap: TimeInterval
    public var maxAttempts: Int

    public init(base: TimeInterval, cap: TimeInterval, maxAttempts: Int) {
        self.base = base
        self.cap = cap
        self.maxAttempts = maxAttempts
    }

    /// The wait before attempt `attempt + 1`: base, 2×base, 4×base, … up to the cap.
    public func delay(afterAttempt attempt: Int) -> TimeInterval {
        let exponent = Double(max(0, attempt - 1))
        return min(cap, base * pow(2, min(exponent, 60)))
    }

    /// When to try again after a retryable failure of attempt `attempt`; nil when no attempt is left.
    public func retryAt(afterAttempt attempt: Int, now: Date) -> Date? {
        guard attempt < maxAttempts else { return nil }
        return now.addingTimeInterval(delay(afterAttempt: attempt))
    }
}
