import Foundation
import KawalContracts
import Varlink

/// The one way between varlink's values and the wire shapes of KawalContracts: through WireJSON's
/// bytes, never field by field.
///
/// ```swift
/// let parameters: [String: JSONValue] = ["jobs": JSONValue(wire: offers)]
/// let results = try reply.parameters["results"]?.decode([JobResult].self)
/// ```
extension JSONValue {
    /// `value` as WireJSON encodes it.
    public init(wire value: some Encodable) {
        do {
            self = try JSONValue(parsing: WireJSON.encode(value))
        } catch {
            preconditionFailure("WireJSON wrote JSON that Varlink cannot parse: \(error)")
        }
    }

    /// This value as a wire shape; the error names the field at fault.
    public func decode<T: Decodable>(_ type: T.Type) throws(WireDecodingError) -> T {
        try WireJSON.decode(type, from: Data(serialized()))
    }
}
