import Foundation
import KawalPluginKit
import NotifyKit

/// Queues a message with gammu-smsd-inject: `TEXT <number> -len <n> [-unicode]`, the text on stdin
/// as UTF-8 (with a UTF-8 locale), so that it never shows on the command line where any local user
/// can read it (`ps`). Gammu splits it into linked parts; -unicode asks for UCS-2 where GSM 7-bit
/// cannot carry the text. `-len` counts characters; UTF-16 units are never fewer.
struct Injector: Sendable {
    let program: String
    let config: String?
    let timeout: Duration

    func arguments(_ sms: SMSText, to number: String) -> [String] {
        var arguments: [String] = []
        if let config { arguments += ["-c", config] }
        arguments += ["TEXT", number, "-len", String(sms.text.utf16.count)]
        if sms.encoding == .ucs2 { arguments.append("-unicode") }
        return arguments
    }

    func inject(_ sms: SMSText, to number: String, hiding secrets: [String]) async throws(DeliveryFailure) {
        let result: ChildProcess.Result
        do {
            var environment = ProcessInfo.processInfo.environment
            environment["LC_ALL"] = "C.UTF-8"
            result = try await ChildProcess.run(program, arguments(sms, to: number), input: Data(sms.text.utf8), environment: environment,
                                                timeout: timeout)
        } catch {
            throw .temporary("\(error)")
        }
        switch result.ending {
        case .exited(0):
            return
        case .exited(let status):
            // gammu-smsd-inject fails when the backend is unreachable (database down, outbox not writable): worth another try.
            let said = Redaction.scrub(Self.lastLine(result.output), hiding: secrets)
            throw .temporary("\(program) failed (exit status \(status))\(said.isEmpty ? "" : ": \(said)")")
        case .signalled(let signal):
            throw .temporary("\(program) was killed by signal \(signal)")
        case .timedOut:
            throw .temporary("\(program) did not finish within \(timeout) and was stopped")
        }
    }

    /// gammu tools put the reason last.
    static func lastLine(_ output: String) -> String {
        output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.last { !$0.isEmpty } ?? ""
    }
}
