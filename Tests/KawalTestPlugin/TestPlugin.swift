import Foundation
import KawalPluginKit
#if canImport(Glibc)
import Glibc
#endif

/// A plugin for the scheduler's tests. It appends each job's idempotency key to `SINK` and
/// misbehaves as `MODE` says: ok, crash-after:N (exits after acknowledging N jobs), hang-after:N, garbage (at the handshake),
/// garbage-after:N (a broken frame in the middle of a batch), slow:MS, fail-every:N, no-register, exit-at-start,
/// or `timestamps` (each line: key, payload, arrival time in ms since 1970, for lateness benchmarks).
@main
struct TestPlugin {
    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        let mode = environment["MODE"] ?? "ok"
        let sink = environment["SINK"] ?? "/dev/null"
        let capability = environment["CAPABILITY"] ?? "test.sink"
        let name = environment["KAWAL_PLUGIN_NAME"] ?? "test"
        if mode == "exit-at-start" {
            FileHandle.standardError.write(Data("cannot open the modem: no such device\n".utf8))
            exit(3)
        }
        if mode == "no-register" {
            try await Task.sleep(for: .seconds(3600))
        }
        if mode == "garbage" {
            let fd = CInt(environment["KAWAL_PLUGIN_FD"] ?? "3")!
            let junk = Array("{\"this is\": not varlink".utf8) + [0]
            _ = junk.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
            try await Task.sleep(for: .seconds(3600))
        }
        let plugin = try KawalPlugin.connect(name: name, version: "1.0", capabilities: [capability])
        plugin.log("test plugin ready in mode \(mode)")
        // A raw line, as a careless plugin might write it, for kawald's filter of plugin output.
        if let line = environment["STDERR_LINE"] { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        guard let file = fopen(sink, "a") else { fatalError("cannot open \(sink)") }
        var handled = 0
        // A key is in the sink before its job is acknowledged: written keys are flushed, then acked,
        // once per batch and before any pause, so that a crash never loses an acknowledged key.
        var written: [PluginJob] = []
        func acknowledgeWritten() {
            guard !written.isEmpty else { return }
            fflush(file)
            for job in written { job.ack() }
            written.removeAll(keepingCapacity: true)
        }
        for try await batch in plugin.batches {
            for job in batch {
                handled += 1
                if mode.hasPrefix("crash-after:"), handled > Int(mode.dropFirst(12))! {
                    // The N jobs before reach kawald; the rest of the batch dies with the plugin.
                    acknowledgeWritten()
                    usleep(100_000)
                    exit(9)
                }
                if mode.hasPrefix("garbage-after:"), handled > Int(mode.dropFirst(14))! {
                    // Written keys are acknowledged, then a broken frame goes out where kawald
                    // expects answers; the plugin then waits to be killed.
                    acknowledgeWritten()
                    usleep(20_000)
                    let fd = CInt(environment["KAWAL_PLUGIN_FD"] ?? "3")!
                    let junk = Array("{\"parameters\": {\"results\": [{\"id\": tru".utf8) + [0]
                    _ = junk.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
                    try await Task.sleep(for: .seconds(3600))
                }
                if mode.hasPrefix("hang-after:"), handled > Int(mode.dropFirst(11))! {
                    acknowledgeWritten()
                    try await Task.sleep(for: .seconds(3600))
                }
                if mode.hasPrefix("slow:") {
                    acknowledgeWritten()
                    try await Task.sleep(for: .milliseconds(Int(mode.dropFirst(5))!))
                }
                if mode.hasPrefix("fail-every:"), handled % Int(mode.dropFirst(11))! == 0 {
                    job.fail("asked to fail", retryable: true)
                    continue
                }
                if mode == "timestamps" {
                    var now = timespec()
                    clock_gettime(CLOCK_REALTIME, &now)
                    fputs("\(job.idempotencyKey) \(job.payload) \(Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000)\n", file)
                } else {
                    fputs(job.idempotencyKey + "\n", file)
                }
                written.append(job)
            }
            acknowledgeWritten()
        }
    }
}
