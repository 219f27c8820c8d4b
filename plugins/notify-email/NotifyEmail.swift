import ArgumentParser
import Foundation
import KawalPluginKit
import NotifyKit

/// notify-email: delivers `notify.email` jobs by handing RFC 5322 messages to a sendmail-compatible
/// program (msmtp, postfix, exim), which owns SMTP, TLS, authentication and queueing.
/// Where kawal-plugins starts notify-email: the command line after $KAWAL_PLUGIN_ARGS, which
/// kawal-plugin@notify-email.service reads from /etc/kawal/plugins/notify-email.conf.
public enum Entry {
    public static func main() async { await NotifyEmail.main(PluginArguments.mergedOrExit()) }
}

struct NotifyEmail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify-email",
        abstract: "Kawal plugin: delivers notify.email jobs through a sendmail-compatible program.",
        discussion: """
            Started by kawald ([plugins.email] exec = ".../notify-email", args = [...]). Each job's payload is \
            rendered as a plain-text UTF-8 message and piped to the mailer. Exit status 0 acknowledges the job; \
            75 (EX_TEMPFAIL), a signal or the time limit make it retryable; any other status fails it for good.
            """)

    @Option(help: ArgumentHelp("The sendmail-compatible program.", valueName: "path"))
    var sendmail = "/usr/sbin/sendmail"

    @Option(name: .customLong("sendmail-arg"), parsing: .singleValue,
            help: ArgumentHelp("An extra argument for the mailer, before the standard ones (repeat for more), e.g. --sendmail-arg=-C --sendmail-arg=/etc/kawal/msmtprc.", valueName: "arg"))
    var sendmailArguments: [String] = []

    @Option(help: ArgumentHelp("How the mailer learns the recipient: 'headers' (-t, the address stays off the command line) or 'argv' (-- ADDRESS).", valueName: "mode"))
    var recipients: RecipientMode = .headers

    @Option(help: ArgumentHelp("The From: mailbox, e.g. 'Kawal LSM <kawal@lsm.example.org>' or an address.", valueName: "mailbox"))
    var from: String

    @Option(name: .customLong("envelope-from"), help: ArgumentHelp("Envelope sender passed as -f (bounces go there).", valueName: "address"))
    var envelopeFrom: String?

    @Option(name: .customLong("message-id-domain"), help: ArgumentHelp("Right-hand side of Message-ID (default: the From domain).", valueName: "domain"))
    var messageIDDomain: String?

    @Option(name: .customLong("transfer-encoding"), help: ArgumentHelp("quoted-printable (any mailer) or 8bit (mailers with 8BITMIME).", valueName: "encoding"))
    var transferEncoding: MailMessage.TransferEncoding = .quotedPrintable

    @Option(name: .customLong("time-zone"), help: ArgumentHelp("Time zone of the Date: header (default: the system's).", valueName: "zone"))
    var timeZone: String?

    @Option(help: ArgumentHelp("Seconds the mailer may take before it is killed and the job retried.", valueName: "seconds"))
    var timeout: Int = 30

    @OptionGroup var common: NotifierOptions

    enum RecipientMode: String, ExpressibleByArgument, CaseIterable {
        case headers, argv
    }

    func validate() throws {
        guard FileManager.default.isExecutableFile(atPath: sendmail) else {
            throw ValidationError("--sendmail: \(sendmail) is not an executable program (install msmtp-mta or postfix, or name another)")
        }
        guard parsedFrom != nil else {
            throw ValidationError("--from: expected 'Name <address>' or 'address', got '\(from)'")
        }
        if let envelopeFrom, !MailMessage.isPlausibleAddress(envelopeFrom) {
            throw ValidationError("--envelope-from: '\(envelopeFrom)' is not an e-mail address")
        }
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw ValidationError("--time-zone: '\(timeZone)' is not a time zone (e.g. Asia/Makassar)")
        }
        guard (1...3600).contains(timeout) else { throw ValidationError("--timeout: expected 1 to 3600 seconds, got \(timeout)") }
    }

    /// `Name <address>` or a bare address.
    var parsedFrom: MailMessage.Mailbox? {
        let text = from.trimmingCharacters(in: .whitespaces)
        if let open = text.lastIndex(of: "<"), text.hasSuffix(">") {
            let address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            let name = text[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return MailMessage.isPlausibleAddress(address) ? .init(address: address, name: name.isEmpty ? nil : name) : nil
        }
        return MailMessage.isPlausibleAddress(text) ? .init(address: text) : nil
    }

    func run() async throws {
        let sender = parsedFrom!
        let domain = messageIDDomain ?? String(sender.address.split(separator: "@").last!)
        let zone = timeZone.flatMap(TimeZone.init(identifier:)) ?? .current
        let mailer = Mailer(program: sendmail, extraArguments: sendmailArguments, recipients: recipients, envelopeFrom: envelopeFrom,
                            timeout: .seconds(timeout))
        let encoding = transferEncoding
        try await Notifier(name: "notify-email", capability: "notify.email", options: common).run { payload, _ throws(DeliveryFailure) in
            guard let address = payload.to.email, !address.isEmpty else {
                throw .permanent("the payload has no 'to.email' for handler \(payload.to.handler)")
            }
            guard MailMessage.isPlausibleAddress(address) else {
                throw .permanent("the e-mail address of handler \(payload.to.handler) is not valid")
            }
            let message = MailMessage(from: sender, to: .init(address: address, name: payload.to.name), subject: payload.subject,
                                      text: payload.text, messageID: payload.messageID, domain: domain, date: Date(), timeZone: zone,
                                      language: payload.language, transferEncoding: encoding,
                                      extraHeaders: [("X-Kawal-Purpose", payload.purpose)])
            try await mailer.send(message.rendered(), to: address, hiding: [address, payload.to.name ?? ""])
        }
    }
}

