import Foundation
import KawalStore
import Logging
import ServiceLifecycle
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// What `io.kawal.Daemon.Metrics` and the textfile show: the metrics with the job gauges read fresh from the store.
struct MetricsReporter: Sendable {
    let metrics: KawalMetrics
    let store: Store

    func render() async throws -> String {
        metrics.setJobCounts(try await store.jobCounts())
        return metrics.render()
    }
}

/// Writes the metrics for node_exporter's textfile collector every `[metrics] interval`, atomically
/// (a temporary file in the same folder, then rename), so the collector never reads half a file.
/// Without `[metrics] textfile` it finishes at once: idle kawald does not wake up for metrics.
struct MetricsTextfileService: Service {
    let settings: MetricsSettings
    let reporter: MetricsReporter
    let logger: Logger

    func run() async throws {
        guard let path = settings.textfile else { return }
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try Self.write(try await reporter.render(), to: path)
                if failing { logger.notice("metrics textfile written again", metadata: ["kawal.path": "\(path)"]) }
                failing = false
            } catch {
                // Said once per failing stretch, not every interval.
                if !failing { logger.warning("cannot write the metrics textfile: \(error)", metadata: ["kawal.path": "\(path)"]) }
                failing = true
            }
            try? await cancelWhenGracefulShutdown { try await EventLoopSleep.sleep(for: .seconds(settings.interval)) }
        }
    }

    /// Replaces `path` with `text` in one step. The file is readable by all (0644): metrics hold
    /// counts and method names, no personal data, and node_exporter runs as its own user.
    static func write(_ text: String, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try Daemon.makeDirectory(folder, mode: 0o755)
        // node_exporter reads only *.prom files: the temporary name does not end so.
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw VarlinkSocketError(operation: "open", path: temporary, errno: errno) }
        var ok = true
        var failure: CInt = 0
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                ok = false
                failure = errno
                break
            }
            written += count
        }
        // The umask (0077 under systemd) would leave the file unreadable to node_exporter.
        if ok && fchmod(fd, 0o644) != 0 { ok = false; failure = errno }
        close(fd)
        guard ok else {
            unlink(temporary)
            throw VarlinkSocketError(operation: "write", path: temporary, errno: failure)
        }
        guard rename(temporary, path) == 0 else {
            let error = errno
            unlink(temporary)
            throw VarlinkSocketError(operation: "rename", path: path, errno: error)
        }
    }
}
