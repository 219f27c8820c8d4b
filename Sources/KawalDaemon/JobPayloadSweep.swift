import Foundation
import KawalBackup
import KawalStore
import Logging
import ServiceLifecycle

/// Forgets the payloads of jobs that finished longer ago than `[scheduler] finished_job_payloads`
/// (30 days by default), and deletes the database copies kept before restores after the same
/// time: at start, then every six hours. Idle otherwise.
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
            for copy in PreRestoreCopies.expired(database: store.path, before: Date().addingTimeInterval(-keep)) {
                if unlink(copy) == 0 {
                    logger.notice("copy of the database from before a restore deleted", metadata: ["kawal.file": "\(copy)", "kawal.after_days": "\(Int(keep / 86_400))"])
                } else {
                    logger.warning("cannot delete the copy of the database from before a restore: \(String(cString: strerror(errno)))", metadata: ["kawal.file": "\(copy)"])
                }
            }
            do {
                try await cancelWhenGracefulShutdown { try await EventLoopSleep.sleep(for: .seconds(Self.interval)) }
            } catch {
                return
            }
        }
    }
}
