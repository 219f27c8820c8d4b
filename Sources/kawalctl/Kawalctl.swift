import ArgumentParser
import KawalCore
#if canImport(Glibc)
import Glibc
#endif

@main
struct Kawalctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kawalctl",
        abstract: "Administer Kawal: talk to kawald over its control socket.",
        discussion: """
            kawalctl reaches kawald through RUNTIME/control.sock (default \(KawalDefaults.controlSocketPath)); \
            --socket or KAWAL_SOCKET point it elsewhere. Every command prints a table for people, or JSON with --json. \
            'kawalctl --version' prints kawalctl's own version, 'kawalctl version' kawald's too.

            Exit status:
              0  success
              1  kawald answered with an error (refused, invalid, not found); doctor found a problem
              2  the command line is wrong
              3  kawald cannot be reached
            """,
        subcommands: [
            Status.self, Person.self, Case.self, FollowUp.self, Reminder.self, Inbound.self, Referral.self, Search.self, Handler.self, Service.self, Audit.self,
            Import.self, Export.self, Report.self, Consent.self, Retention.self,
            Plugin.self, Job.self, Backup.self, Doctor.self, TimerCommand.self, CalendarCommand.self, Nik.self, Ping.self, Metrics.self, Version.self, Call.self,
            Introspect.self,
        ]
    )

    /// Parses and runs the command, mapping failures to the documented exit codes
    /// (ArgumentParser's own code for a bad command line is 64; ours is 2).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // Not `CommandConfiguration.version`: ArgumentParser would then take `--version` anywhere on the
        // command line, where it names the record version a change was based on (`case assign 3 ani --version 2`).
        if arguments == ["--version"] {
            print(KawalDefaults.version)
            return
        }
        do {
            var command = try parseAsRoot(movingGlobalOptions(arguments))
            try command.run()
        } catch let failure as CommandFailure {
            failure.report()
            Glibc.exit(failure.code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            writeStandardError(fullMessage(for: error))
            Glibc.exit(code == .validationFailure ? KawalExitCode.usage.rawValue : code.rawValue)
        }
    }
}

/// `kawalctl --socket PATH status` reads naturally, but the options belong to the subcommand:
/// move global options written before the subcommand to after it.
func movingGlobalOptions(_ arguments: [String]) -> [String] {
    var leading: [String] = []
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        if argument == "--json" || argument.hasPrefix("--socket=") {
            leading.append(argument)
            index += 1
        } else if argument == "--socket", index + 1 < arguments.count {
            leading += [argument, arguments[index + 1]]
            index += 2
        } else {
            break
        }
    }
    guard !leading.isEmpty, index < arguments.count else { return arguments }
    return Array(arguments[index...]) + leading
}

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("kawald's control socket (default: $KAWAL_SOCKET, else \(KawalDefaults.controlSocketPath)).", valueName: "path"))
    var socket: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    var socketPath: String {
        if let socket { return socket }
        if let fromEnvironment = getenv("KAWAL_SOCKET"), fromEnvironment.pointee != 0 { return String(cString: fromEnvironment) }
        return KawalDefaults.controlSocketPath
    }

    /// How the path was chosen, for the "cannot reach" message.
    var socketOrigin: String {
        if socket != nil { return "--socket" }
        if let fromEnvironment = getenv("KAWAL_SOCKET"), fromEnvironment.pointee != 0 { return "KAWAL_SOCKET" }
        return "the default"
    }
}

func writeStandardError(_ message: String) {
    let line = message.hasSuffix("\n") ? message : message + "\n"
    _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
}
