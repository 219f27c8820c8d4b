import ArgumentParser
import KawalCore
import KawalDaemon
import NIOCore
import NIOPosix
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The entry point. Swift's tasks run on SwiftNIO's event loops rather than libdispatch's global
/// queues: on Linux, the first thread of a global queue starts libdispatch's pool monitor, a 1 s
/// timer that would wake an idle kawald every second for good. The hook has to be in place before
/// the first task exists, hence a synchronous main.
@main
enum KawaldMain {
    static func main() {
        if !NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() {
            let line = Array("kawald: tasks run on libdispatch, not SwiftNIO's loops: an idle kawald wakes every second\n".utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
        Task {
            await Kawald.main()
            exit(0)
        }
        dispatchMain()
    }
}

struct Kawald: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kawald",
        abstract: "The Kawal case follow-up daemon.",
        discussion: """
            Keeps the case records, schedules follow-ups and serves kawalctl over varlink on \
            RUNTIME/control.sock. Runs under systemd (Type=notify, watchdog, socket activation, journald) \
            or in a terminal. SIGHUP reloads the configuration; SIGTERM and SIGINT stop gracefully.

            Exit status: 0 after a clean stop, 1 on a runtime failure, 78 when the configuration is unusable.
            """,
        version: KawalDefaults.version
    )

    @Option(name: .long, help: ArgumentHelp("Configuration file. Without it, \(KawalDefaults.configPath) is read if it exists.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Folder for the database and backups (overrides daemon.state_dir; default \(KawalDefaults.stateDirectory)).", valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("Folder for the sockets (overrides daemon.runtime_dir; default \(KawalDefaults.runtimeDirectory)).", valueName: "dir"))
    var runtimeDir: String?

    func run() async throws {
        let launch = DaemonState.Launch(
            configPath: config.map(Self.absolute) ?? KawalDefaults.configPath,
            configExplicit: config != nil,
            stateDirectory: stateDir.map(Self.absolute),
            runtimeDirectory: runtimeDir.map(Self.absolute)
        )
        let status = await Daemon.run(launch)
        if status != 0 { throw ExitCode(status) }
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let pointer = getcwd(nil, 0) else { return path }
        let cwd = String(cString: pointer)
        free(pointer)
        let trimmed = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return cwd == "/" ? "/" + trimmed : cwd + "/" + trimmed
    }
}
