import NIOPosix

/// Blocking file work (reading a folder, hashing a backup, SQLite's integrity check) on NIO's pool
/// of threads for blocking work. kawald's Swift tasks run on SwiftNIO's event loops (NIO is the
/// global executor), so work that waits on a disk must not run in a task itself.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
