import Foundation
import ProcessSpawn
#if canImport(Glibc)
import Glibc
#endif

/// Runs a helper program (sendmail, gammu-smsd-inject) with input on stdin, a time limit, and its
/// output kept (at most 16 KiB) for the error message.
///
/// ```swift
/// let result = try await ChildProcess.run("/usr/sbin/sendmail", ["-i", "-t"], input: Data(message.utf8), timeout: .seconds(30))
/// if case .exited(0) = result.ending { ... }
/// ```
public enum ChildProcess {
    public enum Ending: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
        /// Killed by us after the time limit.
        case timedOut
    }

    public struct Result: Sendable {
        public var ending: Ending
        /// stdout and stderr together.
        public var output: String

        /// The first non-empty line of the output, for an error message (scrub it before use).
        public var firstLine: String {
            output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty } ?? ""
        }
    }

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func run(_ executable: String, _ arguments: [String], input: Data = Data(), environment: [String: String]? = nil,
                           timeout: Duration) async throws -> Result {
        let pid: pid_t
        let stdin: (read: CInt, write: CInt)
        let output: (read: CInt, write: CInt)
        do throws(Spawn.Failure) {
            stdin = try Spawn.pipe()
            do {
                output = try Spawn.pipe()
            } catch {
                [stdin.read, stdin.write].forEach { close($0) }
                throw error
            }
            do {
                pid = try Spawn(executable, arguments, environment: environment,
                                descriptors: [0: .descriptor(stdin.read), 1: .descriptor(output.write), 2: .descriptor(output.write)]).start()
            } catch {
                [stdin.read, stdin.write, output.read, output.write].forEach { close($0) }
                throw error
            }
        } catch {
            throw StartFailure(description: error.description)
        }
        close(stdin.read)
        close(output.write)
        let ended = Ended()
        let status = Outcome()
        Thread.detachNewThread {
            status.set(ExitStatus.wait(for: pid))
            ended.signal()
        }

        let writer = FileHandle(fileDescriptor: stdin.write, closeOnDealloc: false)
        let reader = FileHandle(fileDescriptor: output.read, closeOnDealloc: true)
        let collected = Collected()
        let threads = DispatchGroup()
        DispatchQueue.global().async(group: threads) {
            // A child that exits without reading gives EPIPE here (SIGPIPE is ignored by the notifiers).
            try? writer.write(contentsOf: input)
            try? writer.close()
        }
        DispatchQueue.global().async(group: threads) {
            while let chunk = try? reader.read(upToCount: 4096), !chunk.isEmpty {
                collected.append(chunk)
            }
        }

        let finished = await ended.wait(timeout: timeout)
        if !finished {
            kill(pid, SIGTERM)
            if !(await ended.wait(timeout: .seconds(2))) {
                kill(pid, SIGKILL)
                _ = await ended.wait(timeout: .seconds(5))
            }
        }
        // Grandchildren may hold the output open: do not wait long for it.
        _ = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: threads.wait(timeout: .now() + 2))
            }
        }
        let ending: Ending
        switch finished ? status.value : nil {
        case nil: ending = .timedOut
        case .exited(let code): ending = .exited(code)
        case .signalled(let signal): ending = .signalled(signal)
        }
        return Result(ending: ending, output: collected.text)
    }

    /// Signalled once the child has ended; waiters may give up after a time limit.
    private final class Ended: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        private var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        private var nextWaiter = 0

        func signal() {
            lock.lock()
            done = true
            let waiting = waiters.values
            waiters = [:]
            lock.unlock()
            waiting.forEach { $0.resume(returning: true) }
        }

        /// True when the child ended within `timeout`. Each waiter is resumed once: by `signal` or by its timer.
        func wait(timeout: Duration) async -> Bool {
            await withCheckedContinuation { continuation in
                lock.lock()
                if done {
                    lock.unlock()
                    continuation.resume(returning: true)
                    return
                }
                let id = nextWaiter
                nextWaiter += 1
                waiters[id] = continuation
                lock.unlock()
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
                    lock.lock()
                    let waiting = waiters.removeValue(forKey: id)
                    lock.unlock()
                    waiting?.resume(returning: false)
                }
            }
        }
    }

    /// How the child ended, set once by the thread that waits for it.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var ended: ExitStatus?

        func set(_ status: ExitStatus) { lock.withLock { ended = status } }
        var value: ExitStatus? { lock.withLock { ended } }
    }

    private final class Collected: @unchecked Sendable {

        private let lock = NSLock()
        private var data = Data()

        func append(_ chunk: Data) {
            lock.lock()
            defer { lock.unlock() }
            if data.count < 16_384 { data.append(chunk.prefix(16_384 - data.count)) }
        }

        var text: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
