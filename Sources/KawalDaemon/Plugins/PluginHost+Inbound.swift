import Foundation
import KawalContracts
import KawalPluginKit
import Logging
import Varlink

extension PluginHost {
    /// One `io.kawal.Inbound.Receive` on a plugin connection: the message in, the receipt out.
    static func serveInbound(channel: PluginChannel, first: VarlinkCall, allowed: Bool, refusal: VarlinkError?, inbound: InboundService?,
                             logger: Logger) async {
        let reply: VarlinkReply
        if let refusal, !allowed {
            reply = VarlinkReply(error: refusal)
        } else if first.method != "io.kawal.Inbound.Receive" {
            reply = VarlinkReply(error: VarlinkError("org.varlink.service.MethodNotFound", ["method": .string(first.method)]))
        } else if let inbound, inbound.settings.enabled {
            do {
                guard let value = first.parameters["message"] else { throw InboundError(field: "message", message: "required") }
                let message: InboundMessage
                do {
                    message = try value.decode(InboundMessage.self)
                } catch {
                    throw InboundError(field: "message" + (error.field.isEmpty ? "" : "." + error.field), message: "\(error)")
                }
                let receipt = try await inbound.receive(message)
                reply = VarlinkReply(parameters: JSONValue(wire: receipt).objectValue ?? [:])
            } catch let error as InboundError {
                reply = VarlinkReply(error: VarlinkError("io.kawal.Inbound.InvalidMessage", ["field": .string(error.field), "message": .string(error.message)]))
            } catch {
                logger.error("cannot take in a message: \(error)")
                reply = VarlinkReply(error: VarlinkError("io.kawal.InternalError", ["message": "the message could not be stored; see kawald's log"]))
            }
        } else {
            reply = VarlinkReply(error: VarlinkError("io.kawal.InternalError", ["message": "inbound messages are off ([inbound] enabled = false)"]))
        }
        do {
            try await channel.perform { try $0.sendMessage(reply.message) }
        } catch {
            logger.warning("cannot answer an inbound plugin: \(error)")
        }
    }
}
