import Foundation
import KawalTesting
import Testing
import Varlink

/// The built kawald and kawalctl, run as a user would run them.
@Suite(.serialized) struct DaemonEndToEndTests {
    func json(_ text: String) throws -> JSONValue {
        try JSONValue(parsing: text)
    }

    @Test func statusReportsTheRunningDaemon() throws {
        let kawald = try KawalInstance.start()
        let result = try kawald.kawalctl(["status", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let status = try json(result.stdout)
        #expect(status["version"] == "0.1.0")
        #expect(status["pid"]?.intValue == Int64(kawald.process.processIdentifier))
        #expect(status["state_dir"]?.stringValue == kawald.stateDirectory)
        #expect(status["runtime_dir"]?.stringValue == kawald.runtimeDirectory)
        #expect(status["config_path"] == .null)
        #expect(status["time_zone"] == "Asia/Makassar")
        #expect(status["role"] == "admin")
        #expect(status["caller_uid"]?.intValue == Int64(getuid()))
        #expect(status["storage"]?["state"] == "open")
        #expect(status["storage"]?["journal_mode"] == "wal")
        #expect(status["storage"]?["schema_version"]?.intValue ?? 0 >= 1)
        #expect(status["storage"]?["path"]?.stringValue == kawald.stateDirectory + "/kawal.db")
        #expect(status["sockets"]?.arrayValue?.contains(["name": "control", "path": .string(kawald.socketPath), "activated": false]) == true)
        #expect(status["sockets"]?.arrayValue?.contains(["name": "plugins", "path": .string(kawald.runtimeDirectory + "/plugins.sock"), "activated": false]) == true)
        #expect(status["counts"]?["control_connections"] == 1)
        #expect((status["uptime_seconds"]?.doubleValue ?? -1) >= 0)

        let table = try kawald.kawalctl(["status"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("Database:"))
        #expect(table.stdout.contains("built-in defaults"))
        #expect(kawald.stop() == 0)
    }

    @Test func kawalctlExitCodesMeanSomething() throws {
        let kawald = try KawalInstance.start()
        #expect(try kawald.kawalctl(["ping"]).status == 0)
        #expect(try kawald.kawalctl(["version"]).stdout.contains("kawald   0.1.0"))

        let usage = try kawald.kawalctl(["frobnicate"])
        #expect(usage.status == 2)
        let badJSON = try kawald.kawalctl(["call", "io.kawal.Daemon.Ping", "{not json"])
        #expect(badJSON.status == 2)
        #expect(badJSON.stderr.contains("not valid JSON"))

        let unknown = try kawald.kawalctl(["call", "io.kawal.Daemon.Explode"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no method io.kawal.Daemon.Explode"))
        let unknownJSON = try kawald.kawalctl(["call", "--json", "io.kawal.Daemon.Explode"])
        #expect(try json(unknownJSON.stdout)["error"] == "org.varlink.service.MethodNotFound")

        let invalid = try kawald.kawalctl(["call", "org.varlink.service.GetInterfaceDescription", #"{"interface": 5}"#])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("invalid parameter 'interface'"))

        // Global options may come before the subcommand too.
        let before = try KawalBinaries.run("kawalctl", ["--socket", kawald.socketPath, "--json", "ping"])
        #expect(before.status == 0)
        #expect(try json(before.stdout)["pong"] == true)
        let fromEnvironment = try kawald.kawalctl(["ping"], socket: false, environment: ["KAWAL_SOCKET": kawald.socketPath])
        #expect(fromEnvironment.status == 0)
        kawald.stop()

        let unreachable = try kawald.kawalctl(["status"])
        #expect(unreachable.status == 3)
        #expect(unreachable.stderr.contains("cannot reach kawald at \(kawald.socketPath)"))
        #expect(unreachable.stderr.contains("systemctl start kawald"))
    }

    @Test func callAndIntrospectSpeakPlainVarlink() throws {
        let kawald = try KawalInstance.start()
        #expect(try kawald.kawalctl(["call", "io.kawal.Daemon.Ping"]).stdout == "{}\n")
        let listed = try kawald.kawalctl(["introspect"])
        #expect(listed.stdout.contains("io.kawal.Daemon"))
        let described = try kawald.kawalctl(["introspect", "io.kawal.Daemon"])
        #expect(described.stdout.contains("method Status() -> ("))
        #expect(try VarlinkInterface(parsing: described.stdout).name == "io.kawal.Daemon")
        let describedJSON = try json(try kawald.kawalctl(["introspect", "--json", "io.kawal.Daemon"]).stdout)
        #expect(describedJSON["methods"] == ["Ping", "Version", "Status", "Metrics", "Reload", "Doctor"])
        let more = try kawald.kawalctl(["call", "--more", "io.kawal.Daemon.Version"])
        #expect(more.status == 0)
        #expect(more.stdout.contains("protocol_version"))
        let piped = try KawalBinaries.run("kawalctl", ["call", "--socket", kawald.socketPath, "org.varlink.service.GetInterfaceDescription", "-"],
                                          input: #"{"interface": "io.kawal"}"#)
        #expect(piped.stdout.contains("PermissionDenied"))
    }

    @Test(.enabled(if: getuid() == 0, "acting as another user needs root (setpriv)"))
    func strangersAreRefusedWithTheGroupThatWouldAllow() throws {
        let kawald = try KawalInstance.start()
        let asNobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        let refused = try kawald.kawalctl(["status"], launcher: asNobody)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("(nobody) may not use kawald"))
        #expect(refused.stderr.contains("usermod -aG kawal USER"))
        let refusedJSON = try kawald.kawalctl(["ping", "--json"], launcher: asNobody)
        let reply = try json(refusedJSON.stdout)
        #expect(reply["error"] == "io.kawal.PermissionDenied")
        #expect(reply["parameters"]?["required_group"] == "kawal")
        // Not even the list of interfaces.
        #expect(try kawald.kawalctl(["introspect"], launcher: asNobody).status == 1)
        // A member of a handler group may ping but not reload.
        let handlerConfig = "[access]\nhandler_group = \"nogroup\"\n"
        let withHandlers = try KawalInstance.start(.init(config: handlerConfig))
        let asHandler = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--init-groups"]
        #expect(try withHandlers.kawalctl(["ping"], launcher: asHandler).status == 0)
        let status = try json(try withHandlers.kawalctl(["status", "--json"], launcher: asHandler).stdout)
        #expect(status["role"] == "handler")
        let reload = try withHandlers.kawalctl(["call", "io.kawal.Daemon.Reload"], launcher: asHandler)
        #expect(reload.status == 1)
        #expect(reload.stderr.contains("needs an administrator"))
        #expect(reload.stderr.contains("kawal-admin"))
    }

    @Test func aBadConfigFileStopsStartWithItsLine() throws {
        let kawald = try KawalInstance.start(.init(config: "[daemon]\n# WITA\nlog_level = 3\n", waitUntilReady: false))
        kawald.process.waitUntilExit()
        #expect(kawald.process.terminationStatus == 78)
        #expect(kawald.log.contains("kawald.toml:3: daemon.log_level: expected a string in quotes, found integer"))
        let missing = try KawalInstance.start(.init(extraArguments: ["--config", "/nonexistent/kawald.toml"], waitUntilReady: false))
        missing.process.waitUntilExit()
        #expect(missing.process.terminationStatus == 78)
        #expect(missing.log.contains("/nonexistent/kawald.toml:0: cannot read the file"))
    }

    @Test func reloadKeepsTheRunningConfigurationWhenTheNewOneIsBad() throws {
        let kawald = try KawalInstance.start(.init(config: "[daemon]\nlog_level = \"info\"\n"))
        let configPath = kawald.directory + "/kawald.toml"
        try "[daemon]\nlog_level = \"chatty\"\n".write(toFile: configPath, atomically: true, encoding: .utf8)
        let refused = try kawald.kawalctl(["call", "io.kawal.Daemon.Reload"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("'chatty' is not a log level"))
        #expect(kawald.log.contains("configuration not reloaded, keeping the running one: \(configPath):2: daemon.log_level"))
        #expect(try kawald.kawalctl(["ping"]).status == 0)

        // --state-dir on the command line wins over the file, at start and on reload.
        try "[daemon]\nlog_level = \"debug\"\nstate_dir = \"/elsewhere\"\n[control]\nmax_message_size = 65536\n"
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let accepted = try json(try kawald.kawalctl(["call", "io.kawal.Daemon.Reload"]).stdout)
        #expect(accepted["changed"] == ["daemon.log_level", "control.max_message_size"])
        #expect(accepted["restart_needed"] == ["control.max_message_size"])
        let status = try json(try kawald.kawalctl(["status", "--json"]).stdout)
        #expect(status["reloads"] == 1)
        #expect(status["state_dir"]?.stringValue == kawald.stateDirectory)
    }

    @Test func notifiesSystemdInOrder() throws {
        let kawald = try KawalInstance.start(.init(environment: ["WATCHDOG_USEC": "200000"]))
        try kawald.waitForNotification(containing: "WATCHDOG=1", timeout: 5)
        kawald.signal(SIGHUP)
        let reloading = try kawald.waitForNotification(containing: "RELOADING=1")
        #expect(reloading.contains("MONOTONIC_USEC="))
        try kawald.waitForNotification(containing: "READY=1")
        #expect(kawald.stop() == 0)
        try kawald.waitForNotification(containing: "STOPPING=1", timeout: 2)
        let states = kawald.notifications.received.compactMap { message -> String? in
            for state in ["READY=1", "RELOADING=1", "STOPPING=1"] where message.contains(state) { return state }
            return nil
        }
        #expect(states == ["READY=1", "RELOADING=1", "READY=1", "STOPPING=1"])
        #expect(kawald.notifications.received.first { $0.contains("READY=1") }?.contains("control \(kawald.socketPath)") == true)
        #expect(kawald.notifications.received.filter { $0 == "WATCHDOG=1" }.count >= 1)
    }

    @Test func runsUnderSocketActivation() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/run", withIntermediateDirectories: true)
        let socket = directory + "/run/control.sock"
        let kawald = try KawalInstance.start(.init(
            launcher: ["systemd-socket-activate", "-l", socket, "--fdname=control", "-E", "NOTIFY_SOCKET"],
            waitUntilReady: false), directory: directory)
        // systemd-socket-activate starts kawald on the first connection; the call waits in the backlog.
        _ = waitUntil(4, interval: 0.02) { FileManager.default.fileExists(atPath: socket) }
        let connection = try VarlinkConnection(unixSocketPath: socket)
        connection.setReceiveTimeout(seconds: 30)
        let status = try connection.call("io.kawal.Daemon.Status")
        #expect(status["sockets"]?.arrayValue?.contains(["name": "control", "path": .string(socket), "activated": true]) == true)
        #expect(kawald.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: socket), "an activated socket belongs to systemd and stays")
    }

    @Test func refusesToStartBesideARunningDaemon() throws {
        let first = try KawalInstance.start()
        let second = try KawalInstance.start(.init(waitUntilReady: false), directory: first.directory)
        second.process.waitUntilExit()
        #expect(second.process.terminationStatus == 1)
        #expect(second.log.contains("another kawald already serves \(first.socketPath)"))
        #expect(try first.kawalctl(["ping"]).status == 0)
    }

    @Test func survivesAPeerThatBreaksTheProtocol() throws {
        let kawald = try KawalInstance.start()
        let rude = try kawald.connect()
        try rude.writeAll(Array("this is not varlink".utf8) + [0])
        #expect(try rude.receive().error == "org.varlink.service.ProtocolViolation")
        #expect(try kawald.kawalctl(["ping"]).status == 0)
        #expect(kawald.log.contains("closed a control connection that broke the varlink protocol"))
    }
}
