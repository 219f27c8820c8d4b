import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// Starting a program with posix_spawn(3): which descriptors the child gets, its environment, and
/// whether it starts with default signal handling in a process group of its own. kawald starts its
/// plugins with it, kawalctl the backup tool, the notifiers their helper programs.
///
/// ```swift
/// let pid = try Spawn("/usr/lib/kawal/plugins/notify-email", [], descriptors: [0: .devNull, 1: .devNull, 2: .descriptor(errorPipe), 3: .descriptor(pair)]).start()
/// let status = ExitStatus.wait(for: pid)
/// ```
public struct Spawn: Sendable {
    /// What a descriptor of the child is.
    public enum Source: Sendable {
        /// /dev/null, opened for reading on descriptor 0 and for writing on the others.
        case devNull
        /// A copy (dup2) of this process's descriptor.
        case descriptor(CInt)
    }

    public struct Failure: Error, CustomStringConvertible {
        /// The errno posix_spawn gave.
        public var code: CInt
        public var description: String
    }

    public var executable: String
    public var arguments: [String]
    /// The child's environment; nil for this process's own.
    public var environment: [String: String]?
    /// The child's descriptors by number; any other descriptor without close-on-exec is inherited as it is.
    public var descriptors: [CInt: Source]
    /// Looks `executable` up in PATH when it has no slash (posix_spawnp).
    public var searchPath: Bool
    /// Starts the child with no signal blocked, these signals at their default action (a daemon that
    /// handles or ignores them itself must not pass that on), in a process group of its own.
    public var isolatedWithDefaultSignals: [CInt]?

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, descriptors: [CInt: Source] = [:],
                searchPath: Bool = false, isolatedWithDefaultSignals: [CInt]? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.descriptors = descriptors
        self.searchPath = searchPath
        self.isolatedWithDefaultSignals = isolatedWithDefaultSignals
    }

    /// A pipe whose ends are both close-on-exec, so that no other child inherits them; a child gets
    /// one as a `descriptor`, which clears the flag on its copy.
    public static func pipe() throws(Failure) -> (read: CInt, write: CInt) {
        var ends: [CInt] = [-1, -1]
        guard pipe2(&ends, O_CLOEXEC) == 0 else { throw Failure(code: errno, description: "pipe: \(String(cString: strerror(errno)))") }
        return (ends[0], ends[1])
    }

    /// Starts the program and returns its pid; wait for it with `ExitStatus.wait(for:)`.
    public func start() throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, source) in descriptors.sorted(by: { $0.key < $1.key }) {
            switch source {
            case .devNull: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if let defaults = isolatedWithDefaultSignals {
            var empty = sigset_t()
            sigemptyset(&empty)
            posix_spawnattr_setsigmask(&attributes, &empty)
            var set = sigset_t()
            sigemptyset(&set)
            for signal in defaults { sigaddset(&set, signal) }
            posix_spawnattr_setsigdefault(&attributes, &set)
            posix_spawnattr_setpgroup(&attributes, 0)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            argv.forEach { free($0) }
            envp?.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result: CInt
        if let envp {
            result = searchPath ? posix_spawnp(&pid, executable, &actions, &attributes, argv, envp) : posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        } else {
            result = searchPath ? posix_spawnp(&pid, executable, &actions, &attributes, argv, environ) : posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        }
        guard result == 0 else { throw Failure(code: result, description: "cannot start \(executable): \(String(cString: strerror(result)))") }
        return pid
    }
}

/// How a child process ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    /// From the status waitpid(2) gives.
    public init(waitStatus status: Int32) {
        self = (status & 0x7F) == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F)
    }

    /// Waits for the child `pid` to end (waitpid, again after EINTR).
    public static func wait(for pid: pid_t) -> ExitStatus {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return ExitStatus(waitStatus: status)
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signalled(let signal): return "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
        }
    }
}
