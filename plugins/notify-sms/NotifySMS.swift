import ArgumentParser
import Foundation
import KawalPluginKit
import NotifyKit

/// notify-sms: delivers `notify.sms` jobs through Gammu SMSD, by gammu-smsd-inject or by writing
/// into the outbox folder of its files backend.
/// Where kawal-plugins starts notify-sms: the command line after $KAWAL_PLUGIN_ARGS, which
/// kawal-plugin@notify-sms.service reads from /etc/kawal/plugins/notify-sms.conf.
public enum Entry {
    public static func main() async { await NotifySMS.main(PluginArguments.mergedOrExit()) }
}

struct NotifySMS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify-sms",
        abstract: "Kawal plugin: delivers notify.sms jobs through Gammu SMSD.",
        discussion: """
            Numbers are normalised to +62 (08…, 628…, +628…; anything else fails for good). The text is sent as \
            GSM 7-bit when it can be (160 characters, 153 per part), else as UCS-2 (70, 67 per part), and cut at \
            a word with an ellipsis to fit --max-parts. With --outbox the message is written straight into the \
            files backend's outbox (UTF-16 with a byte-order mark; atomic); otherwise gammu-smsd-inject queues it \
            in whatever backend gammu-smsd uses.
            """)

    @Option(help: ArgumentHelp("The most parts one message may take (1 to 10).", valueName: "count"))
    var maxParts: Int = 3

    @Option(help: ArgumentHelp("The files backend's outbox folder: write messages there instead of running gammu-smsd-inject.", valueName: "path"))
    var outbox: String?

    @Option(name: .customLong("inject"), help: ArgumentHelp("The gammu-smsd-inject program.", valueName: "path"))
    var injectProgram = "/usr/bin/gammu-smsd-inject"

    @Option(name: .customLong("gammu-config"), help: ArgumentHelp("gammu-smsd's configuration, passed to gammu-smsd-inject as -c.", valueName: "path"))
    var gammuConfig: String?

    @Option(help: ArgumentHelp("Outbox priority letter for reminders and digests (A first … Z last); escalations and alerts go one letter earlier.", valueName: "letter"))
    var priority: String = "C"

    @Option(help: ArgumentHelp("Seconds gammu-smsd-inject may take before it is killed and the job retried.", valueName: "seconds"))
    var timeout: Int = 20

    @OptionGroup var common: NotifierOptions

    func validate() throws {
        guard (1...10).contains(maxParts) else { throw ValidationError("--max-parts: expected 1 to 10, got \(maxParts)") }
        guard priority.count == 1, let letter = priority.first, letter.isASCII, letter.isUppercase else {
            throw ValidationError("--priority: expected one letter A to Z, got '\(priority)'")
        }
        if let outbox {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: outbox, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--outbox: \(outbox) is not a folder (gammu-smsd's [smsd] outboxpath)")
            }
        } else {
            guard FileManager.default.isExecutableFile(atPath: injectProgram) else {
                throw ValidationError("--inject: \(injectProgram) is not an executable program (install gammu-smsd, or use --outbox)")
            }
            if let gammuConfig, !FileManager.default.isReadableFile(atPath: gammuConfig) {
                throw ValidationError("--gammu-config: cannot read \(gammuConfig)")
            }
        }
        guard (1...600).contains(timeout) else { throw ValidationError("--timeout: expected 1 to 600 seconds, got \(timeout)") }
    }

    func run() async throws {
        let maxParts = maxParts
        let base = priority.first!
        let urgent = Character(UnicodeScalar(max(UInt8(ascii: "A"), base.asciiValue! - 1)))
        let outbox = outbox.map(GammuOutbox.init(folder:))
        let injector = Injector(program: injectProgram, config: gammuConfig, timeout: .seconds(timeout))
        try await Notifier(name: "notify-sms", capability: "notify.sms", options: common).run { payload, job throws(DeliveryFailure) in
            guard let raw = payload.to.phone, !raw.isEmpty else {
                throw .permanent("the payload has no 'to.phone' for handler \(payload.to.handler)")
            }
            let number = try PhoneNumber.normalise(raw)
            let sms = SMSText(payload.text, maxParts: maxParts)
            guard !sms.text.isEmpty else { throw .permanent("the message text is empty") }
            let priority = ["escalation", "alert"].contains(payload.purpose) ? urgent : base
            let shape = "\(sms.parts.count) part(s), \(sms.encoding.rawValue)\(sms.truncated ? ", shortened" : "")"
            if let outbox {
                if outbox.queued(messageID: payload.messageID) != nil {
                    Notifier.log("job \(job.id): message \(payload.messageID) is already in the outbox", level: .info)
                    return
                }
                try outbox.enqueue(text: sms.text, to: number, messageID: payload.messageID, priority: priority, date: Date())
                Notifier.log("job \(job.id): written to the outbox: \(shape)", level: .info)
            } else {
                try await injector.inject(sms, to: number, hiding: [number, raw, payload.text])
                Notifier.log("job \(job.id): queued by gammu-smsd-inject: \(shape)", level: .info)
            }
        }
    }
}
