import KawalDomain
import KawalStore
import Varlink

/// Reading call parameters that the IDL has already checked for type; what is left is presence
/// and meaning, reported as io.kawal.InvalidInput naming the field.
struct Parameters {
    let values: [String: JSONValue]
    let prefix: String

    init(_ values: [String: JSONValue], prefix: String = "") {
        self.values = values
        self.prefix = prefix
    }

    func string(_ key: String) -> String? { values[key]?.stringValue }
    func bool(_ key: String) -> Bool? { values[key]?.boolValue }
    func int(_ key: String) -> Int64? { values[key]?.intValue }
    func strings(_ key: String) -> [String]? { values[key]?.arrayValue?.compactMap(\.stringValue) }

    /// A value of one of the io.kawal enums, or nil when absent; an unknown value names the accepted ones.
    func choice<Value: RawRepresentable & CaseIterable>(_ key: String, as type: Value.Type) throws -> Value? where Value.RawValue == String {
        guard let text = string(key) else { return nil }
        guard let value = Value(rawValue: text) else {
            throw StoreError.invalid(field: prefix + key, message: "'\(text)' is not accepted: expected one of \(Value.valueList)")
        }
        return value
    }

    func nested(_ key: String) -> Parameters? {
        values[key]?.objectValue.map { Parameters($0, prefix: prefix + key + ".") }
    }

    func required(_ key: String) throws -> String {
        guard let value = string(key) else { throw StoreError.invalid(field: prefix + key, message: "required") }
        return value
    }

    func requiredInt(_ key: String) throws -> Int64 {
        guard let value = int(key) else { throw StoreError.invalid(field: prefix + key, message: "required") }
        return value
    }
}

/// Optional values as JSON: nil becomes null.
extension Optional where Wrapped == String {
    var json: JSONValue { map { .string($0) } ?? .null }
}

extension Optional where Wrapped == Int64 {
    var json: JSONValue { map { .int($0) } ?? .null }
}

extension Optional where Wrapped == Bool {
    var json: JSONValue { map { .bool($0) } ?? .null }
}

extension Array where Element == String {
    var json: JSONValue { .array(map { .string($0) }) }
}

extension Array where Element: RawRepresentable, Element.RawValue == String {
    var json: JSONValue { .array(map { .string($0.rawValue) }) }
}
