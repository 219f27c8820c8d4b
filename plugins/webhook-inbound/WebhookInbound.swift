import ArgumentParser
import Foundation
import KawalPluginKit
import NotifyKit

/// webhook-inbound: takes the messages handlers send through a chat gateway (WhatsApp, Telegram)
/// as signed JSON POSTs, and hands each to kawald (`io.kawal.Inbound.Receive` on the plugin
/// socket). The replies go back through notify-webhook.
public enum Entry {
    public static func main() async { await WebhookInbound.main(PluginArguments.mergedOrExit()) }
}

struct WebhookInbound: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook-inbound",
        abstract: "Kawal: takes handlers' messages from a chat gateway as signed webhooks and hands them to kawald.",
        discussion: """
            It answers POST /inbound with a JSON body {"id", "sender", "text", "received_at" (optional)}, signed like \
            notify-webhook's requests: X-Kawal-Timestamp (unix seconds) and X-Kawal-Signature: sha256=HEX, HMAC-SHA256 \
            with the shared secret over "<X-Kawal-Timestamp>.<body>". 200: kawald took it ({"id", "outcome", "duplicate"}); \
            400 a field is wrong; 401 the signature does not match or the timestamp is outside --max-skew; 413 the body is \
            over 16 KiB; 503 kawald is not reachable (send it again). An id seen within the window is answered \
            {"duplicate": true} without kawald. It listens on loopback or a Unix socket only, behind the office's reverse \
            proxy. The secret comes from $CREDENTIALS_DIRECTORY/NAME (systemd LoadCredential=) or --secret-file.
            """)

    @Option(help: ArgumentHelp("Where to listen: 127.0.0.1:PORT, [::1]:PORT or unix:/PATH.", valueName: "address"))
    var listen = "127.0.0.1:8470"

    @Option(help: ArgumentHelp("kawald's plugin socket.", valueName: "path"))
    var socket: String = ProcessInfo.processInfo.environment["KAWAL_PLUGINS_SOCKET"] ?? "/run/kawal/plugins.sock"

    @Option(name: .customLong("secret-credential"), help: ArgumentHelp("Name of the systemd credential holding the secret.", valueName: "name"))
    var secretCredential = "webhook-in-secret"

    @Option(name: .customLong("secret-file"), help: ArgumentHelp("A file holding the secret (mode 0600), instead of a credential.", valueName: "path"))
    var secretFile: String?

    @Option(name: .customLong("max-skew"), help: ArgumentHelp("Seconds a request's X-Kawal-Timestamp may be away from this clock.", valueName: "seconds"))
    var maxSkew: Int = 300

    @Option(help: ArgumentHelp("Seconds to wait for kawald's answer before answering 503.", valueName: "seconds"))
    var timeout: Int = 20

    func validate() throws {
        do {
            _ = try ListenAddress(listen)
        } catch {
            throw ValidationError(error.description)
        }
        guard (10...3600).contains(maxSkew) else { throw ValidationError("--max-skew: expected 10 to 3600 seconds, got \(maxSkew)") }
        guard (1...120).contains(timeout) else { throw ValidationError("--timeout: expected 1 to 120 seconds, got \(timeout)") }
    }

    func run() async throws {
        let secret: [UInt8]
        do {
            secret = try Secret.read(credential: secretCredential, file: secretFile)
        } catch {
            throw ValidationError("\(error)")
        }
        let address = try ListenAddress(listen)
        let server = InboundHTTPServer(gate: InboundGate(secret: secret, maximumSkew: Int64(maxSkew)),
                                       kawald: Kawald(socket: socket, timeout: Double(timeout)))
        let socket = socket
        do {
            try await server.run(on: address) {
                KawalPlugin.log("webhook-inbound: listening on \(address) (POST \(InboundGate.path)), handing messages to kawald on \(socket)")
            }
        } catch {
            KawalPlugin.log("webhook-inbound: cannot listen on \(address): \(error)", level: .error)
            throw ExitCode(71)
        }
    }
}
