import Testing
@testable import KawalDaemon

@Suite struct ConfigurationTests {
    @Test func emptyFileMeansDefaults() throws {
        #expect(try Configuration.parse("", file: "k.toml") == Configuration())
    }

    /// Idle means idle: idle plugins are pinged only when an office asks for it.
    @Test func pluginPingIsOffUnlessSet() throws {
        #expect(try Configuration.parse("", file: "k.toml").scheduler.pluginPing == nil)
        #expect(try Configuration.parse("[scheduler]\nplugin_ping = \"never\"\n", file: "k.toml").scheduler.pluginPing == nil)
        #expect(try Configuration.parse("[scheduler]\nplugin_ping = \"30s\"\n", file: "k.toml").scheduler.pluginPing == 30)
        #expect(throws: (any Error).self) { try Configuration.parse("[scheduler]\nplugin_ping = \"sometimes\"\n", file: "k.toml") }
    }

    /// Finished jobs forget their payloads after this long.
    @Test func theJobPayloadKeepingPeriodIsConfigured() throws {
        #expect(try Configuration.parse("", file: "k.toml").scheduler.finishedJobPayloads == 30 * 86_400)
        #expect(try Configuration.parse("[scheduler]\nfinished_job_payloads = \"7d\"", file: "k.toml").scheduler.finishedJobPayloads == 7 * 86_400)
        #expect(throws: ConfigurationError.self) { try Configuration.parse("[scheduler]\nfinished_job_payloads = \"10m\"", file: "k.toml") }
    }

    @Test func readsEverySetting() throws {
        let config = try Configuration.parse("""
            # Office server in Selong
            [daemon]
            state_dir = "/srv/kawal"
            runtime_dir = "/run/kawal-test"
            time_zone = "Asia/Jakarta"
            log_level = "debug"

            [access]
            admin_group = "lrc-admin"
            handler_group = "kk-sembalun"
            plugin_group = "kawal_plugin"

            [control]
            max_message_size = 65536
            """, file: "k.toml")
        #expect(config.stateDirectory == "/srv/kawal")
        #expect(config.runtimeDirectory == "/run/kawal-test")
        #expect(config.timeZone == "Asia/Jakarta")
        #expect(config.logLevel == .debug)
        #expect(config.adminGroup == "lrc-admin")
        #expect(config.handlerGroup == "kk-sembalun")
        #expect(config.pluginGroup == "kawal_plugin")
        #expect(config.maximumMessageSize == 65536)
    }

    @Test(arguments: [
        ("[daemon]\nstate_dir = \n", "k.toml:2: column", ""),
        ("[daemon]\n\nlog_level = \"loud\"\n", "k.toml:3: daemon.log_level: 'loud' is not a log level: expected one of trace, debug, info, notice, warning, error, critical", ""),
        ("[daemon]\ntime_zone = \"Asia/Lombok\"\n", "k.toml:2: daemon.time_zone: unknown time zone 'Asia/Lombok'", "Asia/Makassar"),
        ("[daemon]\nstate_dir = 5\n", "k.toml:2: daemon.state_dir: expected a string in quotes, found integer", ""),
        ("[daemon]\nstate_dir = \"var/lib\"\n", "k.toml:2: daemon.state_dir: 'var/lib' is relative: expected an absolute path", ""),
        ("[daemon]\nstat_dir = \"/x\"\n", "k.toml:2: daemon.stat_dir: unknown key: expected one of state_dir, runtime_dir, time_zone, log_level", ""),
        ("[daemon]\n[backups]\nx = 1\n", "k.toml:2: backups: unknown section: expected one of [daemon], [access], [control]", ""),
        ("[access]\nadmin_group = \"Admins!\"\n", "k.toml:2: access.admin_group: 'Admins!' is not a group name", ""),
        ("[control]\n\n\nmax_message_size = 10\n", "k.toml:4: control.max_message_size: 10 is out of range: expected a size in bytes from 1024 to 268435456", ""),
        ("daemon = 3\n", "k.toml:1: daemon: expected a table ([daemon])", ""),
    ])
    func reportsProblemsWithFileLineAndKey(text: String, message: String, mentions: String) {
        #expect {
            try Configuration.parse(text, file: "k.toml")
        } throws: { error in
            let description = String(describing: error)
            return description.hasPrefix(message) && (mentions.isEmpty || description.contains(mentions))
        }
    }

    @Test func reportsTheChangedKeysAndWhichNeedARestart() {
        var new = Configuration()
        new.logLevel = .debug
        new.stateDirectory = "/elsewhere"
        let changed = new.changedKeys(from: Configuration())
        #expect(changed == ["daemon.state_dir", "daemon.log_level"])
        #expect(Configuration.restartNeeded(for: changed) == ["daemon.state_dir"])
    }

    @Test func missingDefaultFileMeansDefaultsButAMissingNamedFileIsAnError() throws {
        let (config, source) = try Configuration.load(path: "/nonexistent/kawald.toml", explicit: false)
        #expect(config == Configuration())
        #expect(source == .defaults)
        #expect {
            try Configuration.load(path: "/nonexistent/kawald.toml", explicit: true)
        } throws: { error in
            String(describing: error).hasPrefix("/nonexistent/kawald.toml:0: cannot read the file: No such file or directory")
        }
    }
}
