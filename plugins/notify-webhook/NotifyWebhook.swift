import ArgumentParser
import Foundation
import KawalPluginKit
import NotifyKit

/// notify-webhook: delivers `notify.webhook` jobs as signed HTTP(S) POSTs, for WhatsApp or
/// Telegram gateways and anything else that takes JSON.
/// Where kawal-plugins starts notify-webhook: the command line after $KAWAL_PLUGIN_ARGS, which
/// kawal-plugin@notify-webhook.service reads from /etc/kawal/plugins/notify-webhook.conf.
public enum Entry {
    public static func main() async { await NotifyWebhook.main(PluginArguments.mergedOrExit()) }
}

struct NotifyWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify-webhook",
        abstract: "Kawal plugin: delivers notify.webhook jobs as signed HTTP(S) POSTs.",
        discussion: """
            The body is JSON (message_id, purpose, language, to.handler, to.phone, subject, text, case_codes). \
            X-Kawal-Signature: sha256=HEX is HMAC-SHA256 with the shared secret over "<X-Kawal-Timestamp>.<body>"; \
            Idempotency-Key repeats across attempts. 2xx acknowledges; 408, 429, 5xx, time-outs and connection \
            errors are retried; other answers fail for good. The secret comes from $CREDENTIALS_DIRECTORY/NAME \
            (systemd LoadCredential=) or --secret-file, never from the command line or the environment.
            """)

    @Option(help: ArgumentHelp("Where to POST: http://HOST[:PORT]/PATH or https://….", valueName: "url"))
    var url: String

    @Option(name: .customLong("secret-credential"), help: ArgumentHelp("Name of the systemd credential holding the secret.", valueName: "name"))
    var secretCredential = "webhook-secret"

    @Option(name: .customLong("secret-file"), help: ArgumentHelp("A file holding the secret (mode 0600), instead of a credential.", valueName: "path"))
    var secretFile: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM certificates to trust for https instead of the system's (a private gateway).", valueName: "path"))
    var caFile: String?

    @Option(help: ArgumentHelp("Seconds for connecting, sending and the answer together.", valueName: "seconds"))
    var timeout: Int = 15

    @OptionGroup var common: NotifierOptions

    func validate() throws {
        guard let endpoint = try? Endpoint(url) else {
            throw ValidationError("--url: expected http://HOST[:PORT]/PATH or https://HOST[:PORT]/PATH, got '\(url)'")
        }
        if endpoint.tls == false, !["127.0.0.1", "::1", "localhost"].contains(endpoint.host) {
            Self.warnPlainHTTP()
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ValidationError("--ca-file: cannot read \(caFile)")
        }
        guard (1...300).contains(timeout) else { throw ValidationError("--timeout: expected 1 to 300 seconds, got \(timeout)") }
    }

    static func warnPlainHTTP() {
        Notifier.log("warning: --url is plain http to another host: phone numbers and message text cross the network unencrypted", level: .warning)
    }

    func run() async throws {
        let secret: [UInt8]
        do {
            secret = try Secret.read(credential: secretCredential, file: secretFile)
        } catch {
            throw ValidationError("\(error)")
        }
        let endpoint = try Endpoint(url)
        let client = try HTTPPostClient(endpoint: endpoint, caFile: caFile, timeout: .seconds(Int64(timeout)))
        try await Notifier(name: "notify-webhook", capability: "notify.webhook", options: common).run { payload, job throws(DeliveryFailure) in
            let request = try WebhookRequest(payload: payload, idempotencyKey: job.idempotencyKey, secret: secret,
                                             timestamp: Int64(Date().timeIntervalSince1970))
            let status = try await client.post(request)
            if let failure = WebhookRequest.outcome(status: status) { throw failure }
        }
    }
}
