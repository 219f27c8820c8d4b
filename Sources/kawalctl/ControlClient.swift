import KawalCore
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// A failure that ends kawalctl with a documented exit code and a message on stderr.
struct CommandFailure: Error {
    var code: KawalExitCode
    var message: String
    /// Printed on stdout under --json, so scripts get the error as data.
    var json: JSONValue?
    /// kawald's error reply, when the failure is one; commands that can say more about it look here.
    var reply: VarlinkError? = nil

    func report() {
        if let json {
            print(json.prettyPrinted())
        }
        writeStandardError("kawalctl: " + message)
    }
}

/// The one way kawalctl commands reach kawald: a varlink connection to the control socket,
/// with kawald's errors turned into exit codes and messages that say what to do.
struct ControlClient {
    let connection: VarlinkConnection
    let options: GlobalOptions

    init(_ options: GlobalOptions) throws(CommandFailure) {
        self.options = options
        let path = options.socketPath
        do {
            connection = try VarlinkConnection(unixSocketPath: path)
        } catch {
            throw Self.unreachable(path: path, origin: options.socketOrigin, error: error, json: options.json)
        }
        // Nothing is sent to a listener that is not kawald's: whoever owns the socket's folder could
        // put one there, and kawalctl hands kawald case data and acts on its answers (a restore as
        // root writes where kawald says).
        let server: PeerCredentials
        do {
            server = try connection.peerCredentials()
        } catch {
            throw Self.unreachable(path: path, origin: options.socketOrigin, error: error, json: options.json)
        }
        guard Self.isTrustedServer(uid: server.uid) else {
            let owner = UserDatabase.describe(uid: server.uid)
            throw CommandFailure(code: .unreachable,
                                 message: "\(path) is served by \(owner), not by kawald's account (root, \(KawalDefaults.serviceUser) or yours): nothing was sent to it; check who listens there ('ss -xlp')",
                                 json: options.json ? ["error": "untrusted_server", "socket": .string(path), "server_uid": .int(Int64(server.uid))] : nil)
        }
    }

    /// kawald runs as root, as the service account, or (make run, tests) as the caller.
    static func isTrustedServer(uid: uid_t) -> Bool {
        uid == 0 || uid == getuid() || uid == UserDatabase.uid(ofUser: KawalDefaults.serviceUser)
    }

    static func unreachable(path: String, origin: String, error: VarlinkSocketError, json: Bool) -> CommandFailure {
        var message = "cannot reach kawald at \(path) (\(origin)): \(String(cString: strerror(error.errno)))."
        switch error.errno {
        case EACCES:
            message += " This account may not open the socket: case records are personal data. Members of group kawal (case handlers)"
                + " or kawal-admin (administrators) may; add the account with 'usermod -aG kawal USER' and log in again."
        default:
            message += " Start it with 'systemctl start kawald' (or 'make run' in a source tree), or point --socket or KAWAL_SOCKET at its control.sock."
        }
        return CommandFailure(code: .unreachable, message: message,
                              json: json ? ["error": "unreachable", "socket": .string(path), "reason": .string(String(cString: strerror(error.errno)))] : nil)
    }

    func call(_ method: String, _ parameters: [String: JSONValue] = [:]) throws(CommandFailure) -> [String: JSONValue] {
        do {
            return try connection.call(method, parameters)
        } catch {
            throw map(error)
        }
    }

    func callMore(_ method: String, _ parameters: [String: JSONValue], _ body: ([String: JSONValue]) -> Void) throws(CommandFailure) {
        do {
            try connection.callMore(method, parameters) { reply in
                body(reply)
                return true
            }
        } catch {
            throw map(error)
        }
    }

    func map(_ error: any Error) -> CommandFailure {
        switch error {
        case let error as VarlinkError:
            return CommandFailure(code: .daemonError, message: Self.explain(error),
                                  json: options.json ? ["error": .string(error.name), "parameters": .object(error.parameters)] : nil,
                                  reply: error)
        case let error as VarlinkSocketError:
            return CommandFailure(code: .unreachable, message: "lost the connection to kawald at \(connection.path): \(error)")
        default:
            return CommandFailure(code: .unreachable, message: "kawald at \(connection.path) sent something that is not varlink: \(error)")
        }
    }

    /// A sentence for an error reply: kawald's own message when it sends one, else the name and its parameters.
    static func explain(_ error: VarlinkError) -> String {
        if let message = error.parameters["message"]?.stringValue { return message }
        switch error.name {
        case "org.varlink.service.MethodNotFound":
            return "kawald has no method \(error.parameters["method"]?.stringValue ?? "?"); 'kawalctl introspect' lists the interfaces"
        case "org.varlink.service.InterfaceNotFound":
            return "kawald has no interface \(error.parameters["interface"]?.stringValue ?? "?"); 'kawalctl introspect' lists them"
        case "org.varlink.service.InvalidParameter":
            return "invalid parameter '\(error.parameters["parameter"]?.stringValue ?? "?")'; 'kawalctl introspect INTERFACE' shows the expected types"
        default:
            return error.description
        }
    }
}

/// Monotonic time in seconds, for round-trip figures.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
