import Foundation
import KawalStore
import Logging
import ServiceLifecycle

/// Forgets the payloads of jobs that finished longer ago than `[scheduler] finished_job_payloads`
/// (30 days by default): at start, then every six hours. Idle otherwise.
struct JobPayloadSweep: Service {
    let store: Store
    let keep: Double
    let logger: Logger

    static let interval: Double = 6 * 3600

    func run() async throws {
        while true {
            do {
                let forgotten = try await store.forgetFinishedJobPayloads(finishedBefore: Date().addingTimeInterval(-keep))
                if forgotten > 0 {
                    logger.info("payloads of finished jobs forgotten", metadata: ["kawal.jobs": "\(forgotten)", "kawal.after_days": "\(Int(keep / 86_400))"])
                }
            } catch {
                logger.error("cannot forget the payloads of finished jobs: \(error)")
            }
            do {
                try await cancelWhenGracefulShutdown { try await EventLoopSleep.sleep(for: .seconds(Self.interval)) }
            } catch {
                return
            }
        }
    }
}
