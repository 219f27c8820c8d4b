import KawalContracts

extension NotifyPayload {
    /// Parses a job's payload; a payload that is not what kawald sends is a permanent failure that
    /// names the field (never its value).
    ///
    /// ```swift
    /// let payload = try NotifyPayload(json: job.payload)
    /// print(payload.messageID, payload.subject)
    /// ```
    public init(json: String) throws(DeliveryFailure) {
        do {
            self = try WireJSON.decode(NotifyPayload.self, from: json)
        } catch {
            throw .permanent("the payload is not a notification: \(error)")
        }
        guard !messageID.isEmpty else { throw .permanent("the payload is not a notification: 'message_id' is empty") }
    }
}
