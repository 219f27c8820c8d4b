import Testing
@testable import Varlink

@Suite struct DispatchTests {
    static let idl = """
        interface org.example.dispatch
        type Person (name: string, age: ?int, tags: []string, address: (village: string, rt: int))
        method Add(person: Person, force: ?bool) -> (id: int)
        method Unimplemented() -> ()
        method Watch() -> (tick: int)
        method Slow(delay_ms: int) -> (done: bool)
        error Refused (why: string)
        """

    static func service(authorize: @escaping @Sendable (VarlinkRequest<String>) -> VarlinkError? = { _ in nil }) throws -> VarlinkService<String> {
        var service = VarlinkService<String>(vendor: "Test", product: "dispatch", version: "1", url: "https://example.org", authorize: authorize)
        service.validatesReplies = true
        try service.register(interface: try VarlinkInterface(parsing: idl), methods: [
            "Add": .immediate { request in
                if request.parameters["person"]?["name"] == "refuse" { throw VarlinkError("org.example.dispatch.Refused", ["why": "asked to"]) }
                if request.parameters["person"]?["name"] == "bad reply" { return ["id": "not an int"] }
                return ["id": 7]
            },
            "Watch": .streaming(requiresMore: true) { _, writer in
                for tick in 1...3 { writer.yield(["tick": .int(Int64(tick))]) }
                return ["tick": 4]
            },
        ])
        return service
    }

    static let validPerson: JSONValue = ["name": "Siti", "tags": [], "address": ["village": "Sembalun", "rt": 3]]

    func reply(_ service: VarlinkService<String>, _ call: VarlinkCall) -> VarlinkReply? {
        if case .reply(let reply) = service.dispatch(call, context: "ctx", peer: nil) { return reply }
        return nil
    }

    @Test func runsAValidCall() throws {
        let service = try Self.service()
        #expect(reply(service, VarlinkCall(method: "org.example.dispatch.Add", parameters: ["person": Self.validPerson])) == VarlinkReply(parameters: ["id": 7]))
    }

    @Test(arguments: [
        ([:], "person"),
        (["person": ["name": 1, "tags": [], "address": ["village": "x", "rt": 1]]], "person.name"),
        (["person": ["name": "a", "tags": [1], "address": ["village": "x", "rt": 1]]], "person.tags[0]"),
        (["person": ["name": "a", "tags": [], "address": ["village": "x", "rt": 1.5]]], "person.address.rt"),
        (["person": ["name": "a", "tags": [], "address": ["village": "x"]]], "person.address.rt"),
        (["person": ["name": "a", "tags": [], "address": ["village": "x", "rt": 1], "nik": "1"]], "person.nik"),
        (["person": validPerson, "forse": true], "forse"),
        (["person": validPerson, "force": "yes"], "force"),
    ] as [([String: JSONValue], String)])
    func namesTheInvalidParameter(parameters: [String: JSONValue], path: String) throws {
        let service = try Self.service()
        let result = reply(service, VarlinkCall(method: "org.example.dispatch.Add", parameters: parameters))
        #expect(result == VarlinkReply(error: .invalidParameter(path)))
    }

    @Test func acceptsNullAndAbsentOptionals() throws {
        let service = try Self.service()
        var person = Self.validPerson.objectValue!
        person["age"] = .null
        #expect(reply(service, VarlinkCall(method: "org.example.dispatch.Add", parameters: ["person": .object(person), "force": nil]))?.error == nil)
        person["age"] = 3.0  // an integral float is an int in JSON
        #expect(reply(service, VarlinkCall(method: "org.example.dispatch.Add", parameters: ["person": .object(person)]))?.error == nil)
    }

    @Test func answersTheStandardErrors() throws {
        let service = try Self.service()
        #expect(reply(service, VarlinkCall(method: "org.example.nothere.Add")) == VarlinkReply(error: .interfaceNotFound("org.example.nothere")))
        #expect(reply(service, VarlinkCall(method: "org.example.dispatch.Remove")) == VarlinkReply(error: .methodNotFound("org.example.dispatch.Remove")))
        #expect(reply(service, VarlinkCall(method: "org.example.dispatch.Unimplemented")) == VarlinkReply(error: .methodNotImplemented("org.example.dispatch.Unimplemented")))
        #expect(reply(service, VarlinkCall(method: "org.example.dispatch.Watch")) == VarlinkReply(error: .expectedMore()))
        #expect(reply(service, VarlinkCall(method: "Add"))?.error == "org.varlink.service.InterfaceNotFound")
    }

    @Test func passesMethodErrorsThrough() throws {
        let service = try Self.service()
        var person = Self.validPerson.objectValue!
        person["name"] = "refuse"
        #expect(reply(service, VarlinkCall(method: "org.example.dispatch.Add", parameters: ["person": .object(person)]))
                == VarlinkReply(error: VarlinkError("org.example.dispatch.Refused", ["why": "asked to"])))
        person["name"] = "bad reply"
        #expect(reply(service, VarlinkCall(method: "org.example.dispatch.Add", parameters: ["person": .object(person)]))?.error == "org.varlink.service.InvalidReply")
    }

    @Test func describesItself() throws {
        let service = try Self.service()
        let info = reply(service, VarlinkCall(method: "org.varlink.service.GetInfo"))
        #expect(info?.parameters["interfaces"] == ["org.varlink.service", "org.example.dispatch"])
        #expect(info?.parameters["product"] == "dispatch")
        let description = reply(service, VarlinkCall(method: "org.varlink.service.GetInterfaceDescription", parameters: ["interface": "org.example.dispatch"]))
        #expect(description?.parameters["description"] == .string(Self.idl))
        let missing = reply(service, VarlinkCall(method: "org.varlink.service.GetInterfaceDescription", parameters: ["interface": "org.nope"]))
        #expect(missing == VarlinkReply(error: .interfaceNotFound("org.nope")))
    }

    @Test func authorizesBeforeLookingAnythingUp() throws {
        let service = try Self.service { request in
            request.context == "ctx" ? VarlinkError("org.example.Denied") : nil
        }
        #expect(reply(service, VarlinkCall(method: "org.varlink.service.GetInfo"))?.error == "org.example.Denied")
        #expect(reply(service, VarlinkCall(method: "org.example.nothere.X"))?.error == "org.example.Denied")
    }

    @Test func streamsRepliesForMore() async throws {
        let service = try Self.service()
        guard case .deferred(let work) = service.dispatch(VarlinkCall(method: "org.example.dispatch.Watch", more: true), context: "", peer: nil) else {
            Issue.record("a streaming method should be deferred")
            return
        }
        let collected = Collected()
        let final = await work(VarlinkReplyWriter(streaming: true) { collected.append($0) })
        #expect(collected.replies.map(\.parameters["tick"]) == [1, 2, 3])
        #expect(collected.replies.allSatisfy { $0.continues })
        #expect(final == VarlinkReply(parameters: ["tick": 4]))
    }
}

final class Collected: @unchecked Sendable {
    private var storage: [VarlinkReply] = []
    private let lock = NSLockLike()
    func append(_ reply: VarlinkReply) { lock.withLock { storage.append(reply) } }
    var replies: [VarlinkReply] { lock.withLock { storage } }
}

/// A tiny lock so the tests need not import Foundation.
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

#if canImport(Glibc)
import Glibc
#endif
