import Foundation

/// The one JSON configuration of Kawal's wire shapes (the types in this module): keys sorted, slashes
/// left alone, dates in ISO 8601. kawald, kawalctl, KawalPluginKit and the plugins encode and decode
/// these shapes only through it, so that both ends agree on every byte.
///
/// ```swift
/// let text = WireJSON.text(ReminderFirePayload(key: "remind:1842:1764550800000"))   // {"key":"remind:1842:1764550800000"}
/// let fire = try WireJSON.decode(ReminderFirePayload.self, from: text)
/// ```
public enum WireJSON {
    /// The JSON of `value`: compact, or indented for files people read (the backup manifest).
    ///
    /// The wire shapes hold strings, integers, booleans, arrays and objects only, which always encode;
    /// a type that cannot be encoded is a programming error.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            return try encoder.encode(value)
        } catch {
            preconditionFailure("\(T.self) cannot be encoded as JSON: \(error)")
        }
    }

    /// The compact JSON of `value` as text: what travels in a job's `payload`.
    public static func text<T: Encodable>(_ value: T) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// Decodes `data`; the error names the field at fault, never its value (payloads hold phone
    /// numbers, addresses and names).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(WireDecodingError) -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw WireDecodingError(error)
        } catch {
            throw WireDecodingError(field: "", problem: .notJSON)
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws(WireDecodingError) -> T {
        try decode(type, from: Data(text.utf8))
    }
}

/// Why a wire shape could not be decoded: which field, and what is wrong with it.
///
/// ```swift
/// "\(error)"   // 'to.handler' is missing
/// ```
public struct WireDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case notJSON, missing, wrongType, invalid
    }

    /// Where, as a path: `to.handler`, `results[2].ok`; empty for the text as a whole.
    public var field: String
    public var problem: Problem

    public init(field: String, problem: Problem) {
        self.field = field
        self.problem = problem
    }

    init(_ error: DecodingError) {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            (codingPath + (last.map { [$0] } ?? [])).reduce(into: "") { path, key in
                if let index = key.intValue {
                    path += "[\(index)]"
                } else {
                    path += path.isEmpty ? key.stringValue : "." + key.stringValue
                }
            }
        }
        switch error {
        case .keyNotFound(let key, let context): self.init(field: path(context.codingPath, key), problem: .missing)
        case .typeMismatch(_, let context), .valueNotFound(_, let context): self.init(field: path(context.codingPath), problem: .wrongType)
        case .dataCorrupted(let context) where !context.codingPath.isEmpty: self.init(field: path(context.codingPath), problem: .invalid)
        default: self.init(field: "", problem: .notJSON)
        }
    }

    public var description: String {
        let subject = field.isEmpty ? "the value" : "'\(field)'"
        switch problem {
        case .notJSON: return "it is not JSON"
        case .missing: return "\(subject) is missing"
        case .wrongType: return "\(subject) has the wrong type"
        case .invalid: return "\(subject) is not valid"
        }
    }
}
