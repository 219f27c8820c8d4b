import NIOCore
import NIOPosix

/// `Task.sleep` on SwiftNIO's timers.
///
/// On Linux, `Task.sleep` arms a libdispatch timer on a global queue. The first thread such a queue
/// starts switches on libdispatch's pool monitor, a 1 s timer that runs for the life of the process,
/// so one sleep would make an idle kawald wake every second for good. kawald's tasks already run on
/// the NIO singleton (see kawald's entry point); its sleeps use the same loops' timers.
enum EventLoopSleep {
    /// Sleeps for `duration`; throws `CancellationError` when the task is cancelled.
    static func sleep(for duration: Duration) async throws {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let promise = loop.makePromise(of: Void.self)
        let scheduled = loop.scheduleTask(in: .nanoseconds(nanoseconds)) { promise.succeed() }
        try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            scheduled.cancel()
            promise.fail(CancellationError())
        }
    }
}
