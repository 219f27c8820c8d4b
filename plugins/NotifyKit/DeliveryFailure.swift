/// Why a message was not handed over, and whether kawald should try again.
///
/// The message goes into kawald's job record and log: it never contains the recipient's address,
/// phone number or the message text.
public struct DeliveryFailure: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var retryable: Bool

    public init(_ message: String, retryable: Bool) {
        self.message = message
        self.retryable = retryable
    }

    /// Worth trying again later: the mailer's queue was full, the gateway was down, a timeout.
    public static func temporary(_ message: String) -> DeliveryFailure { DeliveryFailure(message, retryable: true) }

    /// Trying again will not help: a bad address, a refused request.
    public static func permanent(_ message: String) -> DeliveryFailure { DeliveryFailure(message, retryable: false) }

    public var description: String { message }
}
