import CLinux
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One timer armed for a wall-clock time, that also wakes when the clock is set (NTP step,
/// manual change): a timerfd on CLOCK_REALTIME with TFD_TIMER_CANCEL_ON_SET, read by a thread of
/// its own. Disarmed, it costs nothing: the thread sleeps in read(2). No polling.
public final class WallClockTimer: @unchecked Sendable {
    public enum Event: Sendable {
        /// The armed time has come.
        case fired
        /// The wall clock was set; due times must be looked at again.
        case clockChanged
    }

    private let fd: CInt
    private let wakeFD: CInt
    private let continuation: AsyncStream<Event>.Continuation
    public let events: AsyncStream<Event>
    private var thread: Thread?
    /// Set by the first `stop()`: the wake-up is written once, and the file descriptors are not
    /// touched afterwards (the timer's thread closes both; a number written to after its close
    /// could by then belong to someone else's socket).
    private let stopped = Atomic<Bool>(false)

    public init() throws {
        fd = timerfd_create(CLOCK_REALTIME, Int32(TFD_CLOEXEC))
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC))
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(16))
        let thread = Thread { [fd, wakeFD, continuation] in
            Self.loop(fd: fd, wakeFD: wakeFD, continuation: continuation)
        }
        thread.name = "kawal-timer"
        thread.start()
        self.thread = thread
    }

    deinit {
        stop()
    }

    /// Arms the timer for `date` (in the past: fires at once), or disarms it with nil.
    public func arm(at date: Date?) {
        guard !stopped.load(ordering: .acquiring) else { return }
        var spec = itimerspec()
        if let date {
            let seconds = max(date.timeIntervalSince1970, 0.000_001)
            spec.it_value.tv_sec = Int(seconds)
            spec.it_value.tv_nsec = max(1, Int((seconds - Double(Int(seconds))) * 1e9))
        }
        // CANCEL_ON_SET needs an absolute timer; a disarmed one still reports clock changes only while armed.
        timerfd_settime(fd, Int32(TFD_TIMER_ABSTIME) | Int32(TFD_TIMER_CANCEL_ON_SET), &spec, nil)
    }

    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
        continuation.finish()
    }

    private static func loop(fd: CInt, wakeFD: CInt, continuation: AsyncStream<Event>.Continuation) {
        var pollers = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        while true {
            pollers[0].revents = 0
            pollers[1].revents = 0
            let ready = poll(&pollers, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if pollers[1].revents != 0 {
                close(wakeFD)
                close(fd)
                return
            }
            var expirations: UInt64 = 0
            let count = read(fd, &expirations, 8)
            if count == 8 {
                continuation.yield(.fired)
            } else if count < 0 && errno == ECANCELED {
                continuation.yield(.clockChanged)
            }
        }
    }
}
