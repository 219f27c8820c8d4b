/// One incoming call, with what the server knows of the caller.
public struct VarlinkRequest<Context: Sendable>: Sendable {
    public var call: VarlinkCall
    /// What the application made of the connection when it was accepted (e.g. the caller's role).
    public var context: Context
    public var peer: PeerCredentials?

    public var parameters: [String: JSONValue] { call.parameters }
}

/// Sends the intermediate replies of a `more` call. The final reply is what the method returns.
public struct VarlinkReplyWriter: Sendable {
    let deliver: @Sendable (VarlinkReply) -> Void
    let writable: @Sendable () async -> Void
    /// Whether the caller asked for several replies; when it did not, `yield` sends nothing.
    public let streaming: Bool

    /// `writable` returns once the peer takes replies again (or the connection ended); by default at once.
    public init(streaming: Bool, writable: @escaping @Sendable () async -> Void = {}, deliver: @escaping @Sendable (VarlinkReply) -> Void) {
        self.streaming = streaming
        self.writable = writable
        self.deliver = deliver
    }

    public func yield(_ parameters: [String: JSONValue]) {
        guard streaming else { return }
        deliver(VarlinkReply(parameters: parameters, continues: true))
    }

    /// Waits while the peer does not read its replies, so that a stream without end (events) is
    /// held back, and can drop what the peer missed, instead of piling up in kawald's memory.
    public func waitUntilWritable() async {
        await writable()
    }
}

/// How a method is carried out.
public enum VarlinkMethodImplementation<Context: Sendable>: Sendable {
    /// Answers at once on the connection's thread; must not block (no disk, no network).
    case immediate(@Sendable (VarlinkRequest<Context>) throws -> [String: JSONValue])
    /// Runs as a task; the connection waits for it before taking its next call.
    case async(@Sendable (VarlinkRequest<Context>) async throws -> [String: JSONValue])
    /// Sends any number of replies with `continues`, then returns the last one.
    /// With `requiresMore`, a call without `more` gets `org.varlink.service.ExpectedMore`.
    case streaming(requiresMore: Bool, @Sendable (VarlinkRequest<Context>, VarlinkReplyWriter) async throws -> [String: JSONValue])
}

/// What the dispatcher decided for a call.
public enum VarlinkDispatch: Sendable {
    /// The reply is known now (a result, or an error).
    case reply(VarlinkReply)
    /// The work must run as a task; it sends its intermediate replies through the writer and returns the final one.
    case deferred(@Sendable (VarlinkReplyWriter) async -> VarlinkReply)
}

/// A varlink service: the interfaces it offers and the code behind their methods.
///
/// Calls are validated against the interface description before the method runs, so a method
/// sees only parameters of the declared types. `org.varlink.service` is always there.
///
/// ```swift
/// var service = VarlinkService<Void>(vendor: "Example", product: "pingd", version: "1", url: "https://example.org")
/// try service.register(interface: pingIDL, methods: ["Ping": .immediate { _ in ["pong": true] }])
/// ```
public struct VarlinkService<Context: Sendable>: Sendable {
    public var vendor: String
    public var product: String
    public var version: String
    public var url: String
    /// Checked before every call, before the method is even looked up (so that a refused caller
    /// learns nothing of the interfaces); an error returned here is the reply and the method does not run.
    public var authorize: @Sendable (VarlinkRequest<Context>) -> VarlinkError?
    /// Check replies against the interface too (for tests: a reply that does not match its IDL becomes an error).
    public var validatesReplies = false
    /// Told of every call once its final reply is known: the method, whether the reply is an error,
    /// and the time from dispatch to that reply. For metrics; it runs on the reply path, so keep it cheap.
    public var observeCall: (@Sendable (_ method: String, _ failed: Bool, _ elapsed: Duration) -> Void)?
    /// Called when a method throws something other than a `VarlinkError`; returns the error to send.
    public var mapError: @Sendable (any Error, VarlinkCall) -> VarlinkError = { error, _ in
        VarlinkError("org.varlink.service.InternalError", ["message": .string(String(describing: error))])
    }

    private(set) var interfaces: [String: VarlinkInterface] = [:]
    private(set) var interfaceOrder: [String] = []
    private var methods: [String: VarlinkMethodImplementation<Context>] = [:]

    public init(vendor: String, product: String, version: String, url: String,
                authorize: @escaping @Sendable (VarlinkRequest<Context>) -> VarlinkError? = { _ in nil }) {
        self.vendor = vendor
        self.product = product
        self.version = version
        self.url = url
        self.authorize = authorize
        let serviceInterface = try! VarlinkInterface(parsing: Self.serviceInterfaceDescription)
        interfaces[serviceInterface.name] = serviceInterface
        interfaceOrder.append(serviceInterface.name)
    }

    public enum RegistrationError: Error, CustomStringConvertible {
        case duplicateInterface(String)
        case unknownMethod(interface: String, method: String)

        public var description: String {
            switch self {
            case .duplicateInterface(let name): return "interface \(name) is registered twice"
            case .unknownMethod(let interface, let method): return "interface \(interface) declares no method \(method)"
            }
        }
    }

    /// Adds an interface and the implementations of its methods. A declared method without an
    /// implementation answers `MethodNotImplemented`.
    public mutating func register(interface: VarlinkInterface, methods implementations: [String: VarlinkMethodImplementation<Context>]) throws {
        guard interfaces[interface.name] == nil else { throw RegistrationError.duplicateInterface(interface.name) }
        for name in implementations.keys where interface.methods[name] == nil {
            throw RegistrationError.unknownMethod(interface: interface.name, method: name)
        }
        interfaces[interface.name] = interface
        interfaceOrder.append(interface.name)
        for (name, implementation) in implementations {
            methods[interface.name + "." + name] = implementation
        }
    }

    public func interface(named name: String) -> VarlinkInterface? { interfaces[name] }

    public var interfaceNames: [String] { interfaceOrder }

    /// Decides what to do with a call: authorize, validate, then run or schedule the method.
    public func dispatch(_ call: VarlinkCall, context: Context, peer: PeerCredentials?) -> VarlinkDispatch {
        guard let observeCall else { return route(call, context: context, peer: peer) }
        let started = ContinuousClock.now
        switch route(call, context: context, peer: peer) {
        case .reply(let reply):
            observeCall(call.method, reply.error != nil, ContinuousClock.now - started)
            return .reply(reply)
        case .deferred(let work):
            return .deferred { writer in
                let reply = await work(writer)
                observeCall(call.method, reply.error != nil, ContinuousClock.now - started)
                return reply
            }
        }
    }

    private func route(_ call: VarlinkCall, context: Context, peer: PeerCredentials?) -> VarlinkDispatch {
        let request = VarlinkRequest(call: call, context: context, peer: peer)
        if let refusal = authorize(request) {
            return .reply(VarlinkReply(error: refusal))
        }
        let interfaceName = call.interfaceName
        guard let interface = interfaces[interfaceName] else {
            return .reply(VarlinkReply(error: .interfaceNotFound(interfaceName)))
        }
        let memberName = call.memberName
        guard let method = interface.methods[memberName] else {
            return .reply(VarlinkReply(error: .methodNotFound(call.method)))
        }
        if let invalid = interface.firstInvalidParameter(call.parameters, against: method.input) {
            return .reply(VarlinkReply(error: .invalidParameter(invalid)))
        }
        if interfaceName == "org.varlink.service" {
            return .reply(serviceMethod(memberName, request))
        }
        guard let implementation = methods[call.method] else {
            return .reply(VarlinkReply(error: .methodNotImplemented(call.method)))
        }
        switch implementation {
        case .immediate(let body):
            return .reply(finish(call, output: method.output, interface: interface) { try body(request) })
        case .async(let body):
            return .deferred { _ in
                await finish(call, output: method.output, interface: interface) { try await body(request) }
            }
        case .streaming(let requiresMore, let body):
            if requiresMore && !call.more {
                return .reply(VarlinkReply(error: .expectedMore()))
            }
            return .deferred { writer in
                await finish(call, output: method.output, interface: interface) { try await body(request, writer) }
            }
        }
    }

    private func finish(_ call: VarlinkCall, output: VarlinkStruct, interface: VarlinkInterface,
                        _ body: () throws -> [String: JSONValue]) -> VarlinkReply {
        do {
            return checked(try body(), call: call, output: output, interface: interface)
        } catch let error as VarlinkError {
            return VarlinkReply(error: error)
        } catch {
            return VarlinkReply(error: mapError(error, call))
        }
    }

    private func finish(_ call: VarlinkCall, output: VarlinkStruct, interface: VarlinkInterface,
                        _ body: () async throws -> [String: JSONValue]) async -> VarlinkReply {
        do {
            return checked(try await body(), call: call, output: output, interface: interface)
        } catch let error as VarlinkError {
            return VarlinkReply(error: error)
        } catch {
            return VarlinkReply(error: mapError(error, call))
        }
    }

    private func checked(_ parameters: [String: JSONValue], call: VarlinkCall, output: VarlinkStruct, interface: VarlinkInterface) -> VarlinkReply {
        if validatesReplies, let invalid = interface.firstInvalidParameter(parameters, against: output) {
            return VarlinkReply(error: VarlinkError("org.varlink.service.InvalidReply", ["method": .string(call.method), "parameter": .string(invalid)]))
        }
        return VarlinkReply(parameters: parameters)
    }

    private func serviceMethod(_ name: String, _ request: VarlinkRequest<Context>) -> VarlinkReply {
        switch name {
        case "GetInfo":
            return VarlinkReply(parameters: [
                "vendor": .string(vendor), "product": .string(product), "version": .string(version), "url": .string(url),
                "interfaces": .array(interfaceOrder.map { .string($0) }),
            ])
        case "GetInterfaceDescription":
            let wanted = request.parameters["interface"]?.stringValue ?? ""
            guard let interface = interfaces[wanted] else { return VarlinkReply(error: .interfaceNotFound(wanted)) }
            return VarlinkReply(parameters: ["description": .string(interface.description)])
        default:
            return VarlinkReply(error: .methodNotImplemented(request.call.method))
        }
    }

    /// The standard interface every varlink service offers.
    public static var serviceInterfaceDescription: String {
        """
        # The Varlink Service Interface is provided by every varlink service. It
        # describes the service and the interfaces it implements.
        interface org.varlink.service

        # Get a list of all the interfaces a service provides and information
        # about the implementation.
        method GetInfo() -> (
          vendor: string,
          product: string,
          version: string,
          url: string,
          interfaces: []string
        )

        # Get the description of an interface that is implemented by this service.
        method GetInterfaceDescription(interface: string) -> (description: string)

        # The requested interface was not found.
        error InterfaceNotFound (interface: string)

        # The requested method was not found
        error MethodNotFound (method: string)

        # The interface defines the requested method, but the service does not
        # implement it.
        error MethodNotImplemented (method: string)

        # One of the passed parameters is invalid.
        error InvalidParameter (parameter: string)

        # Client is denied access
        error PermissionDenied ()

        # Method is expected to be called with 'more' set to true, but wasn't
        error ExpectedMore ()

        """
    }
}
