import Foundation
import KawalContracts
import KawalPluginKit
import NIOPosix
import Varlink

/// kawald's plugin socket, as webhook-inbound uses it: one `io.kawal.Inbound.Receive` per message,
/// on a connection of its own, through the blocking varlink client on NIO's pool of threads for
/// blocking work (never on an event loop).
struct Kawald: Sendable {
    let socket: String
    /// Seconds to wait for kawald's answer (it stores the message and queues the reply first).
    let timeout: Double

    enum Failure: Error, Equatable {
        /// kawald refused the message itself: the field and why. The gateway must not send it again as it is.
        case invalid(field: String, message: String)
        /// kawald is down, busy, or refused the plugin: worth another try later.
        case unavailable(String)
    }

    func receive(_ message: InboundMessage) async -> Result<InboundReceipt, Failure> {
        let socket = socket
        let timeout = timeout
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                do {
                    let connection = try VarlinkConnection(unixSocketPath: socket)
                    connection.setReceiveTimeout(seconds: timeout)
                    let reply = try connection.call("io.kawal.Inbound.Receive", ["message": JSONValue(wire: message)])
                    return .success(try JSONValue.object(reply).decode(InboundReceipt.self))
                } catch let error as VarlinkError where error.name == "io.kawal.Inbound.InvalidMessage" {
                    return .failure(.invalid(field: error.parameters["field"]?.stringValue ?? "", message: error.parameters["message"]?.stringValue ?? ""))
                } catch let error as VarlinkError {
                    return .failure(.unavailable("kawald refused the call: \(error.name) \(error.parameters["message"]?.stringValue ?? "")"))
                } catch let error as WireDecodingError {
                    return .failure(.unavailable("kawald's answer is not an io.kawal.Inbound receipt: \(error)"))
                } catch {
                    return .failure(.unavailable("kawald is not reachable on \(socket): \(error)"))
                }
            }
        } catch {
            return .failure(.unavailable("the pool of threads for blocking work is shut down"))
        }
    }
}
