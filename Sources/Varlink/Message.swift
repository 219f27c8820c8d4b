/// A method call: `{"method": "io.example.Ping", "parameters": {...}, "oneway": false, "more": false}`.
public struct VarlinkCall: Sendable, Equatable {
    /// Fully qualified: interface name, a dot, the method name.
    public var method: String
    public var parameters: [String: JSONValue]
    /// The caller wants no reply.
    public var oneway: Bool
    /// The caller accepts several replies, the last one without `continues`.
    public var more: Bool
    /// The caller wants to switch the connection to another protocol after the reply.
    public var upgrade: Bool

    public init(method: String, parameters: [String: JSONValue] = [:], oneway: Bool = false, more: Bool = false, upgrade: Bool = false) {
        self.method = method
        self.parameters = parameters
        self.oneway = oneway
        self.more = more
        self.upgrade = upgrade
    }

    /// The interface part of `method` (everything before the last dot).
    public var interfaceName: String {
        guard let dot = method.lastIndex(of: ".") else { return "" }
        return String(method[..<dot])
    }

    /// The member part of `method` (after the last dot).
    public var memberName: String {
        guard let dot = method.lastIndex(of: ".") else { return method }
        return String(method[method.index(after: dot)...])
    }

    public init(message: JSONValue) throws(VarlinkProtocolError) {
        guard case .object(let fields) = message else { throw .invalidMessage("a call must be a JSON object") }
        guard case .string(let method)? = fields["method"] else { throw .invalidMessage("a call needs a \"method\" string") }
        self.method = method
        switch fields["parameters"] {
        case nil, .null?: self.parameters = [:]
        case .object(let parameters)?: self.parameters = parameters
        default: throw .invalidMessage("\"parameters\" must be an object")
        }
        self.oneway = try Self.flag(fields, "oneway")
        self.more = try Self.flag(fields, "more")
        self.upgrade = try Self.flag(fields, "upgrade")
    }

    private static func flag(_ fields: [String: JSONValue], _ name: String) throws(VarlinkProtocolError) -> Bool {
        switch fields[name] {
        case nil, .null?: return false
        case .bool(let value)?: return value
        default: throw .invalidMessage("\"\(name)\" must be a boolean")
        }
    }

    public var message: JSONValue {
        var fields: [String: JSONValue] = ["method": .string(method)]
        if !parameters.isEmpty { fields["parameters"] = .object(parameters) }
        if oneway { fields["oneway"] = true }
        if more { fields["more"] = true }
        if upgrade { fields["upgrade"] = true }
        return .object(fields)
    }
}

/// A reply: parameters, or an error with its parameters; `continues` when more replies follow.
public struct VarlinkReply: Sendable, Equatable {
    public var parameters: [String: JSONValue]
    public var continues: Bool
    /// The fully qualified error name, when the call failed.
    public var error: String?

    public init(parameters: [String: JSONValue] = [:], continues: Bool = false, error: String? = nil) {
        self.parameters = parameters
        self.continues = continues
        self.error = error
    }

    public init(error: VarlinkError) {
        self.init(parameters: error.parameters, error: error.name)
    }

    public init(message: JSONValue) throws(VarlinkProtocolError) {
        guard case .object(let fields) = message else { throw .invalidMessage("a reply must be a JSON object") }
        switch fields["parameters"] {
        case nil, .null?: self.parameters = [:]
        case .object(let parameters)?: self.parameters = parameters
        default: throw .invalidMessage("\"parameters\" must be an object")
        }
        switch fields["continues"] {
        case nil, .null?, .bool(false)?: self.continues = false
        case .bool(true)?: self.continues = true
        default: throw .invalidMessage("\"continues\" must be a boolean")
        }
        switch fields["error"] {
        case nil, .null?: self.error = nil
        case .string(let name)?: self.error = name
        default: throw .invalidMessage("\"error\" must be a string")
        }
    }

    public var message: JSONValue {
        var fields: [String: JSONValue] = ["parameters": .object(parameters)]
        if continues { fields["continues"] = true }
        if let error { fields["error"] = .string(error) }
        return .object(fields)
    }
}

/// An error reply: a reverse-domain name declared in an interface, and its parameters.
public struct VarlinkError: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var parameters: [String: JSONValue]

    public init(_ name: String, _ parameters: [String: JSONValue] = [:]) {
        self.name = name
        self.parameters = parameters
    }

    public var description: String {
        parameters.isEmpty ? name : "\(name) \(JSONValue.object(parameters).jsonString)"
    }

    public static func interfaceNotFound(_ interface: String) -> VarlinkError {
        VarlinkError("org.varlink.service.InterfaceNotFound", ["interface": .string(interface)])
    }

    public static func methodNotFound(_ method: String) -> VarlinkError {
        VarlinkError("org.varlink.service.MethodNotFound", ["method": .string(method)])
    }

    public static func methodNotImplemented(_ method: String) -> VarlinkError {
        VarlinkError("org.varlink.service.MethodNotImplemented", ["method": .string(method)])
    }

    public static func invalidParameter(_ parameter: String) -> VarlinkError {
        VarlinkError("org.varlink.service.InvalidParameter", ["parameter": .string(parameter)])
    }

    public static func expectedMore() -> VarlinkError {
        VarlinkError("org.varlink.service.ExpectedMore")
    }

    /// Sent before closing a connection whose peer broke the protocol (oversized or malformed message).
    /// Not part of the org.varlink.service interface, which leaves the case unspecified; the name says what happened.
    public static func protocolViolation(_ reason: String) -> VarlinkError {
        VarlinkError("org.varlink.service.ProtocolViolation", ["reason": .string(reason)])
    }
}
