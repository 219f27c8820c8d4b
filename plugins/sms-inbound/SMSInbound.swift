import ArgumentParser
import Foundation
import KawalContracts
import KawalPluginKit
import Varlink

/// sms-inbound: hands the SMS gammu-smsd received to kawald (`io.kawal.Inbound.Receive` on the
/// plugin socket). gammu-smsd runs it as its `RunOnReceive` program; `--inbox` hands over what is
/// in the files backend's inbox instead (after kawald was down: a message kawald has seen is not
/// processed twice).
public enum Entry {
    public static func main() async { await SMSInbound.main(PluginArguments.mergedOrExit()) }
}

struct SMSInbound: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sms-inbound",
        abstract: "Kawal: hands the SMS gammu-smsd received to kawald, which reads and answers them.",
        discussion: """
            As gammu-smsd's RunOnReceive program it reads the messages from the environment gammu-smsd \
            sets (SMS_MESSAGES, SMS_1_NUMBER, SMS_1_TEXT, …; DECODED_1_TEXT for a message in several parts) \
            and the message ids gammu-smsd appends to the command line. It gives up after --timeout seconds \
            (gammu-smsd waits for it, at most two minutes); the message then stays in gammu-smsd's inbox, \
            and 'sms-inbound --inbox DIR' hands it over later. Exit status: 0 handed over, 75 kawald not \
            reachable (try again later), 65 nothing readable in the environment.
            """)

    @Option(help: ArgumentHelp("kawald's plugin socket.", valueName: "path"))
    var socket: String = ProcessInfo.processInfo.environment["KAWAL_PLUGINS_SOCKET"] ?? "/run/kawal/plugins.sock"

    @Option(help: ArgumentHelp("Give up after this many seconds (gammu-smsd waits at most 120).", valueName: "seconds"))
    var timeout: Int = 30

    @Option(help: ArgumentHelp("Hand over every message in this folder (gammu-smsd's files backend inboxpath) instead of the environment.", valueName: "path"))
    var inbox: String?

    @Argument(help: ArgumentHelp("The message ids gammu-smsd appends (inbox file names for the files backend).", valueName: "id"))
    var ids: [String] = []

    func validate() throws {
        guard (1...110).contains(timeout) else { throw ValidationError("--timeout: expected 1 to 110 seconds, got \(timeout)") }
    }

    func run() async throws {
        SafeDescriptors.reopenStandardStreams()
        // gammu-smsd waits for this program: never longer than the timeout.
        alarm(UInt32(timeout))
        let messages: [InboundMessage]
        if let inbox {
            messages = try GammuInbox.messages(in: inbox)
        } else {
            messages = GammuEnvironment.messages(ProcessInfo.processInfo.environment, ids: ids)
            guard !messages.isEmpty else {
                Self.log("sms-inbound: no message in the environment (run me as gammu-smsd's RunOnReceive, or with --inbox)")
                throw ExitCode(65)
            }
        }
        var failed = 0
        for message in messages {
            do {
                let connection = try VarlinkConnection(unixSocketPath: socket)
                let reply = try connection.call("io.kawal.Inbound.Receive", ["message": JSONValue(wire: message)])
                let receipt = try JSONValue.object(reply).decode(InboundReceipt.self)
                // The id only: the number and the text stay out of the log.
                Self.log("sms-inbound: message \(receipt.id) \(receipt.duplicate ? "seen before" : receipt.outcome)")
            } catch {
                failed += 1
                Self.log("sms-inbound: kawald did not take a message (\(message.gatewayID ?? "-")): \(error)")
            }
        }
        if failed > 0 { throw ExitCode(75) }
    }

    static func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// gammu-smsd closes every descriptor before it runs RunOnReceive: the first socket opened would be
/// fd 0, 1 or 2, and a log line written to "stderr" would go into kawald's socket.
enum SafeDescriptors {
    static func reopenStandardStreams() {
        for fd: CInt in 0...2 where fcntl(fd, F_GETFD) == -1 {
            let null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            if null >= 0, null != fd {
                dup2(null, fd)
                close(null)
            }
        }
    }
}
