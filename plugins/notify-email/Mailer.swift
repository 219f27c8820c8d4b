import Foundation
import KawalPluginKit
import NotifyKit

/// Hands a rendered message to a sendmail-compatible program and reads its exit status the way
/// sendmail(8) defines it: 0 accepted, 75 (EX_TEMPFAIL) try again later, anything else refused.
struct Mailer: Sendable {
    let program: String
    let extraArguments: [String]
    let recipients: NotifyEmail.RecipientMode
    let envelopeFrom: String?
    let timeout: Duration

    static let temporaryFailure: Int32 = 75

    func arguments(for address: String) -> [String] {
        var arguments = extraArguments + ["-i"]
        if let envelopeFrom { arguments += ["-f", envelopeFrom] }
        switch recipients {
        case .headers: arguments.append("-t")
        case .argv: arguments += ["--", address]
        }
        return arguments
    }

    func send(_ message: String, to address: String, hiding secrets: [String]) async throws(DeliveryFailure) {
        let result: ChildProcess.Result
        do {
            result = try await ChildProcess.run(program, arguments(for: address), input: Data(message.utf8), timeout: timeout)
        } catch {
            throw .temporary("\(error)")
        }
        let said = Redaction.scrub(result.firstLine, hiding: secrets)
        let detail = said.isEmpty ? "" : ": \(said)"
        switch result.ending {
        case .exited(0):
            return
        case .exited(Self.temporaryFailure):
            throw .temporary("\(program) could not deliver now (exit status 75, EX_TEMPFAIL)\(detail)")
        case .exited(let status):
            throw .permanent("\(program) refused the message (exit status \(status))\(detail)")
        case .signalled(let signal):
            throw .temporary("\(program) was killed by signal \(signal)\(detail)")
        case .timedOut:
            throw .temporary("\(program) did not finish within \(timeout) and was stopped")
        }
    }
}
