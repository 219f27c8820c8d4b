import Foundation
import NIOPosix
import Synchronization
import Varlink
import VarlinkNIO

/// Serves org.varlink.certification, so that the reference Python varlink client can certify our
/// server side (`python -m varlink.tests.test_certification --client --varlink=unix:PATH`).
///
/// Usage: varlink-certification-server SOCKET-PATH INTERFACE-FILE
/// The interface file is the one shipped with the Python package, read at run time.
@main
struct CertificationServer {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3 else {
            FileHandle.standardError.write(Data("usage: varlink-certification-server SOCKET-PATH INTERFACE-FILE\n".utf8))
            exit(2)
        }
        let idl = try String(contentsOfFile: arguments[2], encoding: .utf8)
        let interface: VarlinkInterface
        do {
            interface = try VarlinkInterface(parsing: idl)
        } catch {
            FileHandle.standardError.write(Data("\(arguments[2]):\(error)\n".utf8))
            exit(1)
        }
        let sessions = Sessions()
        var service = VarlinkService<Void>(vendor: "Kawal", product: "varlink-certification-server", version: "1", url: "https://varlink.org")
        service.validatesReplies = true
        try service.register(interface: interface, methods: sessions.methods())
        let server = VarlinkServer(service: service, endpoint: .unixSocket(path: arguments[1], mode: 0o600),
                                   group: MultiThreadedEventLoopGroup.singleton) { _ in () }
        let channel = try await server.start()
        print("listening on \(arguments[1])")
        try await channel.closeFuture.get()
    }
}

/// Each client walks Start, Test01 … Test11, End in order, passing on what the previous call returned.
final class Sessions: Sendable {
    private let next = Mutex<[String: String]>([:])

    static let mytype: JSONValue = [
        "object": ["method": "org.varlink.certification.Test09", "parameters": ["map": ["foo": "Foo", "bar": "Bar"]]],
        "enum": "two",
        "struct": ["first": 1, "second": "2"],
        "array": ["one", "two", "three"],
        "dictionary": ["foo": "Foo", "bar": "Bar"],
        "stringset": ["one": [:], "two": [:], "three": [:]],
        "interface": [
            "foo": [nil, ["foo": "foo", "bar": "bar"], nil, ["one": "foo", "two": "bar"]],
            "anon": ["foo": true, "bar": false],
        ],
    ]

    func advance(_ parameters: [String: JSONValue], from method: String, to following: String) throws -> String {
        guard let client = parameters["client_id"]?.stringValue else { throw VarlinkError("org.varlink.certification.ClientIdError") }
        try next.withLock { next in
            guard let expected = next[client] else { throw VarlinkError("org.varlink.certification.ClientIdError") }
            guard expected == method else {
                next[client] = nil
                throw VarlinkError("org.varlink.certification.CertificationError",
                                   ["wants": ["method": .string("org.varlink.certification." + expected)],
                                    "got": ["method": .string("org.varlink.certification." + method)]])
            }
            next[client] = following
        }
        return client
    }

    func expect(_ parameters: [String: JSONValue], _ wanted: [String: JSONValue], client: String) throws {
        var got = parameters
        got["client_id"] = nil
        guard got == wanted else {
            next.withLock { $0[client] = nil }
            throw VarlinkError("org.varlink.certification.CertificationError", ["wants": .object(wanted), "got": .object(got)])
        }
    }

    func step(_ method: String, _ following: String, wants: [String: JSONValue], returns: [String: JSONValue]) -> VarlinkMethodImplementation<Void> {
        .immediate { request in
            let client = try self.advance(request.parameters, from: method, to: following)
            try self.expect(request.parameters, wants, client: client)
            return returns
        }
    }

    func methods() -> [String: VarlinkMethodImplementation<Void>] {
        let pi = JSONValue.double(Double.pi)
        let four: [String: JSONValue] = ["bool": false, "int": 2, "float": pi, "string": "a lot of string"]
        let replies: [JSONValue] = (1...10).map { .string("Reply number \($0)") }
        return [
            "Start": .immediate { _ in
                var bytes = [UInt8](repeating: 0, count: 16)
                for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
                let client = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
                self.next.withLock { $0[client] = "Test01" }
                return ["client_id": .string(client)]
            },
            "Test01": step("Test01", "Test02", wants: [:], returns: ["bool": true]),
            "Test02": step("Test02", "Test03", wants: ["bool": true], returns: ["int": 1]),
            "Test03": step("Test03", "Test04", wants: ["int": 1], returns: ["float": 1.0]),
            "Test04": step("Test04", "Test05", wants: ["float": 1.0], returns: ["string": "ping"]),
            "Test05": step("Test05", "Test06", wants: ["string": "ping"], returns: four),
            "Test06": step("Test06", "Test07", wants: four, returns: ["struct": .object(four)]),
            "Test07": step("Test07", "Test08", wants: ["struct": .object(four)], returns: ["map": ["foo": "Foo", "bar": "Bar"]]),
            "Test08": step("Test08", "Test09", wants: ["map": ["foo": "Foo", "bar": "Bar"]],
                           returns: ["set": ["one": [:], "two": [:], "three": [:]]]),
            "Test09": step("Test09", "Test10", wants: ["set": ["one": [:], "two": [:], "three": [:]]], returns: ["mytype": Self.mytype]),
            "Test10": .streaming(requiresMore: true) { request, writer in
                let client = try self.advance(request.parameters, from: "Test10", to: "Test11")
                var mytype = request.parameters["mytype"]?.objectValue ?? [:]
                // Optional fields may come as null or not at all.
                for key in ["nullable", "nullable_array_struct"] where mytype[key] == .null { mytype[key] = nil }
                try self.expect(["client_id": .string(client), "mytype": .object(mytype)], ["mytype": Self.mytype], client: client)
                for reply in replies.dropLast() { writer.yield(["string": reply]) }
                return ["string": replies.last!]
            },
            "Test11": .immediate { request in
                let client = try self.advance(request.parameters, from: "Test11", to: "End")
                guard request.call.oneway else {
                    throw VarlinkError("org.varlink.certification.CertificationError", ["wants": ["oneway": true], "got": ["oneway": false]])
                }
                try self.expect(request.parameters, ["last_more_replies": .array(replies)], client: client)
                return [:]
            },
            "End": .immediate { request in
                let client = try self.advance(request.parameters, from: "End", to: "Start")
                try self.expect(request.parameters, [:], client: client)
                self.next.withLock { $0[client] = nil }
                return ["all_ok": true]
            },
        ]
    }
}
