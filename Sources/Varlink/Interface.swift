/// A varlink interface, parsed from its IDL text.
///
/// ```swift
/// let interface = try VarlinkInterface(parsing: """
///     interface org.example.ping
///     # Answers at once.
///     method Ping(ping: string) -> (pong: string)
///     """)
/// interface.methods["Ping"]?.input.fields.first?.name == "ping"
/// ```
public struct VarlinkInterface: Sendable, Equatable {
    /// Reverse-domain name, e.g. `org.varlink.service`.
    public var name: String
    /// The documentation comment above the `interface` line.
    public var documentation: String
    /// The IDL text as written; `GetInterfaceDescription` returns it.
    public var description: String
    public var types: [String: TypeAlias]
    public var methods: [String: Method]
    public var errors: [String: ErrorType]
    /// Member names in the order they were declared.
    public var memberOrder: [String]

    public struct TypeAlias: Sendable, Equatable {
        public var name: String
        public var type: VarlinkType
        public var documentation: String
    }

    public struct Method: Sendable, Equatable {
        public var name: String
        public var input: VarlinkStruct
        public var output: VarlinkStruct
        public var documentation: String
    }

    public struct ErrorType: Sendable, Equatable {
        public var name: String
        public var parameters: VarlinkStruct
        public var documentation: String
    }
}

/// The type of a field or parameter.
public indirect enum VarlinkType: Sendable, Equatable {
    case bool
    case int
    case float
    case string
    /// Any JSON object, not described further.
    case object
    /// A type declared with `type Name (...)` in the same interface.
    case named(String)
    case optional(VarlinkType)
    case array(VarlinkType)
    /// `[string]T`: a JSON object whose values are T.
    case dictionary(VarlinkType)
    case structure(VarlinkStruct)
    case enumeration([String])
}

public struct VarlinkStruct: Sendable, Equatable {
    public var fields: [Field]

    public struct Field: Sendable, Equatable {
        public var name: String
        public var type: VarlinkType
    }

    public init(fields: [Field]) { self.fields = fields }
}

extension VarlinkType: CustomStringConvertible {
    /// The type in IDL notation, e.g. `?[]string` or `(one, two)`.
    public var description: String {
        switch self {
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .object: return "object"
        case .named(let name): return name
        case .optional(let wrapped): return "?" + wrapped.description
        case .array(let element): return "[]" + element.description
        case .dictionary(let value): return "[string]" + value.description
        case .structure(let s): return s.description
        case .enumeration(let cases): return "(" + cases.joined(separator: ", ") + ")"
        }
    }
}

extension VarlinkStruct: CustomStringConvertible {
    public var description: String {
        "(" + fields.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + ")"
    }
}
