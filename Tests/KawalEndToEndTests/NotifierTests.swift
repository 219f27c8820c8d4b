import Foundation
import KawalTesting
import Testing
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// The notifier plugins with the real peers they hand messages to: msmtp and an SMTP server
/// (aiosmtpd), gammu-smsd-inject and gammu's files backend, and an HTTP gateway that checks the
/// signature. Each runs under a real kawald that offers it the jobs.
@Suite(.serialized) struct NotifierTests {
    static let repository = SourceTree.root.path
    static let peers = repository + "/Tests/peers"
    /// Debian's python3, where python3-aiosmtpd is installed (see APT_PACKAGES).
    static let systemPython = "/usr/bin/python3"

    static let text = """
        Halo Wayan,

        Kasus KWL-2026-0042 perlu ditindaklanjuti hari ini: kunjungi keluarga di Dusun Lendang Nangka dan \
        periksa apakah akta kelahiran anak sudah diterima dari Dukcapil. Catat hasilnya di Kawal.

        Terima kasih atas kerja kerasnya – salam hangat 🙏
        """

    static func payload(id: String, email: String? = nil, phone: String? = nil, text: String = text,
                        subject: String = "Pengingat tindak lanjut KWL-2026-0042 – jatuh tempo hari ini", purpose: String = "reminder") -> String {
        var to: [String: JSONValue] = ["handler": "12", "name": "Wayan"]
        if let email { to["email"] = .string(email) }
        if let phone { to["phone"] = .string(phone) }
        let value: JSONValue = [
            "message_id": .string(id), "purpose": .string(purpose), "language": "id", "to": .object(to),
            "subject": .string(subject), "text": .string(text), "case_codes": ["KWL-2026-0042"], "created_at": "2026-12-01T01:00:00Z",
        ]
        return value.jsonString
    }

    @discardableResult
    static func enqueue(_ c: VarlinkConnection, kind: String, key: String, payload: String) throws -> JSONValue {
        try c.call("io.kawal.Jobs.Enqueue", ["kind": .string(kind), "payload": .string(payload), "idempotency_key": .string(key)])["id"]!
    }

    static func job(_ c: VarlinkConnection, _ id: JSONValue) throws -> JSONValue {
        try c.call("io.kawal.Jobs.Get", ["id": id])["job"]!
    }

    static func files(_ folder: String, suffix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.sorted()
    }

    /// A TCP port nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw PeerFailure(description: "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    struct PeerFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// A peer process, killed when the test is done with it.
    final class Peer {
        let process = Process()

        convenience init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], log: String, port: Int) throws {
            try self.init(executable, arguments, environment: environment, log: log) { NotifierTests.isListening(port) }
        }

        init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], log: String, ready: () -> Bool) throws {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: log)
            process.standardError = FileHandle(forWritingAtPath: log)
            process.standardInput = FileHandle.nullDevice
            try process.run()
            guard waitUntil(20, { ready() || !process.isRunning }), process.isRunning else {
                throw PeerFailure(description: "\(executable) did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
        }

        /// SIGKILL: the test process blocks the signals its children inherit.
        func stop() {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        deinit { stop() }
    }

    static func smtpServer(port: Int, folder: String, log: String) throws -> Peer {
        try Peer(systemPython, ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "kawal_smtp_sink.FolderHandler", folder],
                 environment: ["PYTHONPATH": peers], log: log, port: port)
    }

    /// The message as Python's email package (policy.default) reads it: an independent MIME parser.
    static func readMail(_ path: String) throws -> JSONValue {
        let script = """
            import email, json, sys
            from email import policy
            m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
            print(json.dumps({'headers': {k: str(v) for k, v in m.items()}, 'raw_subject': m.get('Subject').__str__(),
                              'body': m.get_content(), 'defects': [str(d) for d in m.defects],
                              'raw': open(sys.argv[1], 'rb').read().decode('ascii', 'replace')}))
            """
        let result = try KawalBinaries.run(systemPython, ["-c", script, path])
        guard result.status == 0 else { throw PeerFailure(description: "python could not read \(path): \(result.stderr)") }
        return try JSONValue(parsing: result.stdout)
    }

    /// Lines kawald logged for a plugin (its stderr), for the privacy checks.
    static func pluginLines(_ kawald: KawalInstance, _ name: String) -> [String] {
        kawald.log.split(separator: "\n").map(String.init).filter { $0.contains("kawal.plugin=\(name)") }
    }

    static func expectPrivate(_ kawald: KawalInstance, plugin: String, secrets: [String]) {
        let lines = pluginLines(kawald, plugin)
        #expect(!lines.isEmpty, "the plugin logged something")
        for line in lines {
            for secret in secrets {
                #expect(!line.contains(secret), "plugin \(plugin) logged personal data: \(line)")
            }
        }
    }

    static let schedulerSettings = """
        [scheduler]
        lease = "30s"
        plugin_ping = "1s"
        retry_base = "1s"
        retry_cap = "2s"

        """

    @Test func pluginsExplainThemselvesAndRefuseBadSettings() throws {
        for (plugin, option) in [("notify-email", "--sendmail"), ("notify-sms", "--max-parts"), ("notify-webhook", "--secret-file")] {
            let help = try KawalBinaries.run(plugin, ["--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains(option) && help.stdout.contains("--state-dir"), "\(plugin): \(help.stdout)")
        }
        let badFrom = try KawalBinaries.run("notify-email", ["--from", "not an address", "--sendmail", "/bin/true"])
        #expect(badFrom.status == 64)
        #expect(badFrom.stderr.contains("--from: expected 'Name <address>' or 'address'"), "\(badFrom.stderr)")
        let noMailer = try KawalBinaries.run("notify-email", ["--from", "kawal@example.org", "--sendmail", "/nonexistent/sendmail"])
        #expect(noMailer.stderr.contains("is not an executable program"), "\(noMailer.stderr)")
        let badParts = try KawalBinaries.run("notify-sms", ["--max-parts", "0", "--outbox", "/tmp"])
        #expect(badParts.stderr.contains("--max-parts: expected 1 to 10, got 0"), "\(badParts.stderr)")
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // No secret anywhere: refuses to start, and says where the secret may come from.
        let noSecret = try KawalBinaries.run("notify-webhook", ["--url", "https://gateway.example.org/hook"],
                                             environment: ["CREDENTIALS_DIRECTORY": directory])
        #expect(noSecret.status != 0)
        #expect(noSecret.stderr.contains("cannot read the secret from \(directory)/webhook-secret"), "\(noSecret.stderr)")
        let badURL = try KawalBinaries.run("notify-webhook", ["--url", "ftp://gateway.example.org/"])
        #expect(badURL.stderr.contains("--url: expected http://"), "\(badURL.stderr)")
    }

    /// A kawald in `directory` that runs one plugin, `[plugins.NAME]`, with quick retries.
    static func kawald(in directory: String, plugin name: String, executable: String, arguments: [String],
                       environment: [String: String] = [:]) throws -> KawalInstance {
        let quoted = { (text: String) in "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var config = schedulerSettings + """
            [plugins.\(name)]
            exec = \(quoted(try KawalBinaries.path(of: executable)))
            args = [\(arguments.map(quoted).joined(separator: ", "))]

            """
        if !environment.isEmpty {
            config += "env = { " + environment.map { "\($0.key) = \(quoted($0.value))" }.joined(separator: ", ") + " }\n"
        }
        return try KawalInstance.start(.init(config: config), directory: directory)
    }

    // MARK: e-mail

    @Test func emailGoesThroughMsmtpToARealSMTPServer() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try Self.freePort()
        let mailbox = directory + "/mail"
        let msmtprc = directory + "/msmtprc"
        try "account default\nhost 127.0.0.1\nport \(port)\nfrom kawal@lsm.example.org\nauth off\ntls off\n"
            .write(toFile: msmtprc, atomically: true, encoding: .utf8)
        chmod(msmtprc, 0o600)
        let pluginState = directory + "/email-state"
        try FileManager.default.createDirectory(atPath: pluginState, withIntermediateDirectories: true)
        // Delivered before a restart of the plugin: remembered in its state folder.
        try "notify:r-already-sent:email\n".write(toFile: pluginState + "/email.delivered-keys", atomically: true, encoding: .utf8)
        let kawald = try Self.kawald(in: directory, plugin: "email", executable: "notify-email", arguments: [
            "--sendmail", "/usr/bin/msmtp", "--sendmail-arg=-C", "--sendmail-arg=\(msmtprc)", "--from", "Kawal LSM Lombok Timur <kawal@lsm.example.org>",
            "--time-zone", "Asia/Makassar", "--timeout", "10", "--state-dir", pluginState,
        ])
        let c = try kawald.connect()

        // The SMTP server is down: msmtp says EX_TEMPFAIL, kawald tries again.
        let first = try Self.enqueue(c, kind: "notify.email", key: "notify:r-1842-20261201T0100:email",
                                     payload: Self.payload(id: "r-1842-20261201T0100", email: "wayan@example.org"))
        #expect(waitUntil(20) { (try? Self.job(c, first)["attempts"]?.intValue ?? 0) ?? 0 >= 2 })
        let waiting = try Self.job(c, first)
        #expect(waiting["state"] != "dead" && waiting["state"] != "done", "\(waiting)")
        #expect(waiting["last_error"]?.stringValue?.contains("EX_TEMPFAIL") == true, "\(waiting)")
        #expect(waiting["last_error"]?.stringValue?.contains("wayan@") == false)

        let smtp = try Self.smtpServer(port: port, folder: mailbox, log: directory + "/smtp.log")
        defer { smtp.stop() }
        #expect(waitUntil(20) { (try? Self.job(c, first)["state"]) == "done" })
        #expect(Self.files(mailbox, suffix: ".eml") == ["1.eml"])

        let mail = try Self.readMail(mailbox + "/1.eml")
        let headers = mail["headers"]!
        #expect(mail["defects"] == [], "\(mail)")
        #expect(headers["Subject"] == "Pengingat tindak lanjut KWL-2026-0042 – jatuh tempo hari ini")
        #expect(headers["To"] == "Wayan <wayan@example.org>")
        #expect(headers["From"] == "Kawal LSM Lombok Timur <kawal@lsm.example.org>")
        #expect(headers["Message-ID"] == "<r-1842-20261201T0100@lsm.example.org>")
        #expect(headers["MIME-Version"] == "1.0")
        #expect(headers["Content-Type"] == "text/plain; charset=\"utf-8\"" || headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(headers["Content-Transfer-Encoding"] == "quoted-printable")
        #expect(headers["Content-Language"] == "id")
        #expect(headers["X-Envelope-To"] == "wayan@example.org")
        #expect(headers["Date"]?.stringValue?.hasSuffix("+0800") == true, "\(headers["Date"] ?? .null)")
        #expect(mail["body"]?.stringValue == Self.text + "\n")
        let raw = mail["raw"]!.stringValue!
        #expect(raw.contains("Subject: =?UTF-8?B?"), "the subject travels as encoded-words")
        let sevenBit = raw.unicodeScalars.allSatisfy { $0.isASCII }
        #expect(sevenBit, "the message is 7-bit on the wire")

        // Known to the plugin from before its restart: acknowledged without a second e-mail.
        let repeated = try Self.enqueue(c, kind: "notify.email", key: "notify:r-already-sent:email",
                                        payload: Self.payload(id: "r-already-sent", email: "wayan@example.org"))
        // A bad address fails for good, without the address in the error.
        let bad = try Self.enqueue(c, kind: "notify.email", key: "notify:r-bad:email", payload: Self.payload(id: "r-bad", email: "wayan at example"))
        // The server refuses the mailbox: msmtp fails for good, and says the address, which stays out of the error.
        let unknown = try Self.enqueue(c, kind: "notify.email", key: "notify:r-unknown:email",
                                       payload: Self.payload(id: "r-unknown", email: "unknown.handler@example.org"))
        #expect(waitUntil(20) {
            (try? Self.job(c, repeated)["state"]) == "done" && (try? Self.job(c, bad)["state"]) == "dead" && (try? Self.job(c, unknown)["state"]) == "dead"
        })
        let unknownJob = try Self.job(c, unknown)
        #expect(unknownJob["attempts"] == 1)
        #expect(unknownJob["last_error"]?.stringValue?.contains("refused the message (exit status") == true, "\(unknownJob)")
        #expect(unknownJob["last_error"]?.stringValue?.contains("unknown.handler") == false, "\(unknownJob)")
        let badJob = try Self.job(c, bad)
        #expect(badJob["attempts"] == 1)
        #expect(badJob["last_error"]?.stringValue?.contains("not valid") == true, "\(badJob)")
        #expect(badJob["last_error"]?.stringValue?.contains("wayan at") == false)
        let enqueued = Date()
        #expect(try waitUntil(10) { try c.jobsSettled(dueBy: enqueued) })
        #expect(Self.files(mailbox, suffix: ".eml") == ["1.eml"], "no mail for the repeat or the bad address")
        #expect(try String(contentsOfFile: pluginState + "/email.delivered-keys", encoding: .utf8)
            .split(separator: "\n").contains("notify:r-1842-20261201T0100:email"))

        Self.expectPrivate(kawald, plugin: "email", secrets: ["wayan@example.org", "wayan at example", "unknown.handler", "Dusun Lendang", "Halo Wayan"])
        #expect(kawald.stop() == 0)
    }

    @Test func aKilledNotifierLosesNoMailAndRepeatsOnlyWhatItCouldNotAnswer() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try Self.freePort()
        let mailbox = directory + "/mail"
        let msmtprc = directory + "/msmtprc"
        try "account default\nhost 127.0.0.1\nport \(port)\nfrom kawal@lsm.example.org\nauth off\ntls off\n"
            .write(toFile: msmtprc, atomically: true, encoding: .utf8)
        chmod(msmtprc, 0o600)
        let smtp = try Self.smtpServer(port: port, folder: mailbox, log: directory + "/smtp.log")
        defer { smtp.stop() }
        let kawald = try Self.kawald(in: directory, plugin: "email", executable: "notify-email", arguments: [
            "--sendmail", "/usr/bin/msmtp", "--sendmail-arg=-C", "--sendmail-arg=\(msmtprc)", "--from", "kawal@lsm.example.org",
            "--state-dir", directory + "/email-state", "--recipients", "argv",
        ])
        let c = try kawald.connect()
        let count = 60
        for i in 0..<count {
            try Self.enqueue(c, kind: "notify.email", key: "notify:batch-\(i):email", payload: Self.payload(id: "batch-\(i)", email: "handler\(i)@example.org"))
        }
        // Killed in the middle of the batch; kawald restarts it and offers the unanswered jobs again.
        #expect(waitUntil(60) { Self.files(mailbox, suffix: ".eml").count >= count / 3 })
        let plugin = try c.call("io.kawal.Jobs.Plugins")["plugins"]!.arrayValue!.first { $0["name"] == "email" }
        let pid = try #require(plugin?["pid"]?.intValue)
        kill(pid_t(pid), SIGKILL)
        #expect(waitUntil(90) {
            let jobs = (try? c.call("io.kawal.Jobs.List", ["kind": "notify.email", "limit": 500])["jobs"]?.arrayValue) ?? []
            return jobs.count == count && jobs.allSatisfy { $0["state"] == "done" }
        })
        let messageIDs = try Self.files(mailbox, suffix: ".eml").map { name -> String in
            let lines = try String(contentsOfFile: mailbox + "/" + name, encoding: .utf8).split(separator: "\r\n")
            let messageID = String(lines.first { $0.hasPrefix("Message-ID:") } ?? "")
            // Recipients given on msmtp's command line (--recipients argv): each message reached its own handler.
            let number = messageID.dropFirst("Message-ID: <batch-".count).prefix { $0 != "@" }
            #expect(lines.contains("X-Envelope-To: handler\(number)@example.org"), "\(name): \(messageID)")
            return messageID
        }
        #expect(Set(messageIDs).count == count, "every message arrived")
        let jobs = try c.call("io.kawal.Jobs.List", ["kind": "notify.email", "limit": 500])["jobs"]!.arrayValue!
        let retried = Set(jobs.filter { ($0["attempts"]?.intValue ?? 0) > 1 }.compactMap { $0["idempotency_key"]?.stringValue })
        for (id, copies) in Dictionary(grouping: messageIDs, by: { $0 }) where copies.count > 1 {
            // Only a message handed over just before the kill, whose answer never reached kawald, may come twice.
            let key = "notify:" + id.dropFirst("Message-ID: <".count).prefix { $0 != "@" } + ":email"
            #expect(retried.contains(key), "\(id) arrived \(copies.count) times without a second attempt")
        }
        print("killed notifier: \(messageIDs.count) e-mails for \(count) messages, \(retried.count) jobs offered again")
        #expect(kawald.stop() == 0)
    }

    // MARK: SMS

    /// A gammu-smsd configuration with the files backend. Its phone is gammu's dummy driver (a folder
    /// that stands in for a modem), so gammu-smsd itself can run and send what is queued. `extra`
    /// lines join [smsd] (RunOnReceive, for the inbound tests).
    static func gammuConfig(_ directory: String, format: String = "unicode", extra: String = "") throws -> (config: String, outbox: String) {
        for folder in ["inbox", "outbox", "sent", "error", "phone/sms/1"] {
            try FileManager.default.createDirectory(atPath: directory + "/gammu/" + folder, withIntermediateDirectories: true)
        }
        let config = directory + "/gammu/smsdrc"
        try """
            [gammu]
            model = dummy
            connection = none
            device = \(directory)/gammu/phone

            [smsd]
            service = files
            inboxpath = \(directory)/gammu/inbox/
            outboxpath = \(directory)/gammu/outbox/
            sentsmspath = \(directory)/gammu/sent/
            errorsmspath = \(directory)/gammu/error/
            outboxformat = \(format)
            transmitformat = auto
            logfile = \(directory)/gammu/smsd.log
            debuglevel = 1
            commtimeout = 1
            loopsleep = 1
            \(extra)

            """.write(toFile: config, atomically: true, encoding: .utf8)
        return (config, directory + "/gammu/outbox")
    }

    /// An outbox file's text: UTF-16 big-endian after a byte-order mark.
    static func outboxText(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 2, data[0] == 0xFE, data[1] == 0xFF else { return nil }
        return String(data: data.dropFirst(2), encoding: .utf16BigEndian)
    }

    /// The text of all parts queued for a number, in order.
    static func queuedText(_ outbox: String, number: String) -> String? {
        let parts = files(outbox, suffix: ".txt").filter { $0.contains("_\(number)_") }
        guard !parts.isEmpty else { return nil }
        let texts = parts.compactMap { outboxText(outbox + "/" + $0) }
        return texts.count == parts.count ? texts.joined() : nil
    }

    @Test func smsGoesThroughGammuSmsdInject() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let gammu = try Self.gammuConfig(directory)
        let kawald = try Self.kawald(in: directory, plugin: "sms", executable: "notify-sms",
                                     arguments: ["--inject", "/usr/bin/gammu-smsd-inject", "--gammu-config", gammu.config, "--max-parts", "2"])
        let c = try kawald.connect()
        let short = "Pengingat: kunjungi keluarga KWL-2026-0042 hari ini. Catat hasilnya di Kawal."
        let long = (1...80).map { "kalimat\($0)" }.joined(separator: " ")
        let unicode = "Terima kasih 🙏 Bu Ni Luh, kunjungan KWL-2026-0042 tercatat."
        let jobs = [
            try Self.enqueue(c, kind: "notify.sms", key: "notify:s1:sms", payload: Self.payload(id: "s1", phone: "0812-3456-7001", text: short)),
            try Self.enqueue(c, kind: "notify.sms", key: "notify:s2:sms", payload: Self.payload(id: "s2", phone: "6281234567002", text: long)),
            try Self.enqueue(c, kind: "notify.sms", key: "notify:s3:sms", payload: Self.payload(id: "s3", phone: "+62 812 3456 7003", text: unicode)),
        ]
        let landline = try Self.enqueue(c, kind: "notify.sms", key: "notify:s4:sms", payload: Self.payload(id: "s4", phone: "0370-621234", text: short))
        #expect(waitUntil(30) { jobs.allSatisfy { (try? Self.job(c, $0)["state"]) == "done" } && (try? Self.job(c, landline)["state"]) == "dead" })

        #expect(Self.queuedText(gammu.outbox, number: "+6281234567001") == short)
        let longQueued = Self.queuedText(gammu.outbox, number: "+6281234567002") ?? ""
        #expect(longQueued.hasSuffix("..."), "cut with an ellipsis: \(longQueued.suffix(30))")
        #expect(long.hasPrefix(String(longQueued.dropLast(3)) + " "), "cut after a whole word")
        #expect(longQueued.count <= 2 * 153 && longQueued.count > 2 * 153 - 15, "two parts' worth: \(longQueued.count)")
        #expect(Self.files(gammu.outbox, suffix: ".txt").filter { $0.contains("_+6281234567002_") }.count == 2, "gammu split it in two")
        #expect(Self.queuedText(gammu.outbox, number: "+6281234567003") == unicode)
        let refused = try Self.job(c, landline)
        #expect(refused["last_error"]?.stringValue?.contains("not an Indonesian mobile number") == true, "\(refused)")
        #expect(Self.files(gammu.outbox, suffix: ".txt").count == 4)

        Self.expectPrivate(kawald, plugin: "sms", secrets: ["81234567001", "81234567002", "812 3456 7003", "0370-621234", "Pengingat", "kalimat1", "Terima kasih"])
        #expect(kawald.stop() == 0)
    }

    @Test func smsGoesStraightIntoTheFilesBackendOutbox() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let gammu = try Self.gammuConfig(directory)
        let kawald = try Self.kawald(in: directory, plugin: "sms", executable: "notify-sms", arguments: ["--outbox", gammu.outbox, "--max-parts", "3"])
        let c = try kawald.connect()
        let text = "🙏 Kasus KWL-2026-0042: rujukan ke UPTD PPA “hari ini” – mohon konfirmasi sebelum pukul 12.00"
        let reminder = try Self.enqueue(c, kind: "notify.sms", key: "notify:o1:sms", payload: Self.payload(id: "o1", phone: "081234567008", text: text))
        let escalation = try Self.enqueue(c, kind: "notify.sms", key: "notify:o2:sms",
                                          payload: Self.payload(id: "o2", phone: "081234567009", text: "Eskalasi KWL-2026-0042", purpose: "escalation"))
        #expect(waitUntil(20) { [reminder, escalation].allSatisfy { (try? Self.job(c, $0)["state"]) == "done" } })
        let names = Self.files(gammu.outbox, suffix: ".txt")
        #expect(names.count == 2, "\(names)")
        let first = names.first { $0.contains("_+6281234567008_") } ?? ""
        // OUT<priority><date>_<time>_<serial>_<number>_<note>.txt
        let pattern = #/^OUTC\d{8}_\d{6}_00_\+6281234567008_o1\.txt$/#
        #expect(first.wholeMatch(of: pattern) != nil, "\(first)")
        #expect(names.contains { $0.hasPrefix("OUTB") && $0.contains("_+6281234567009_o2.txt") }, "escalations go one letter earlier: \(names)")
        #expect(Self.outboxText(gammu.outbox + "/" + first) == "🙏 Kasus KWL-2026-0042: rujukan ke UPTD PPA \"hari ini\" - mohon konfirmasi sebelum pukul 12.00")
        #expect(try FileManager.default.contentsOfDirectory(atPath: gammu.outbox).allSatisfy { $0.hasPrefix("OUT") }, "no temporary files left")

        // gammu-smsd itself reads the outbox and sends both (to its dummy phone), escalation first.
        let smsdLog = directory + "/gammu/smsd.log"
        let smsd = try Peer("/usr/bin/gammu-smsd", ["-c", gammu.config], log: directory + "/gammu/smsd.out") { FileManager.default.fileExists(atPath: smsdLog) }
        defer {
            smsd.stop()
            // Killed, gammu-smsd leaves its shared-memory segment behind: remove it by the key it logged.
            let log = (try? String(contentsOfFile: smsdLog, encoding: .utf8)) ?? ""
            if let line = log.split(separator: "\n").first(where: { $0.contains("SHM token: ") }),
               let token = line.split(separator: " ").last(where: { $0.hasPrefix("0x") }) {
                _ = try? KawalBinaries.run("ipcrm", ["-M", String(token)])
            }
        }
        #expect(waitUntil(30) { Self.files(directory + "/gammu/sent", suffix: ".txt").count == 2 }, "\((try? String(contentsOfFile: smsdLog, encoding: .utf8)) ?? "")")
        // gammu logs each message it found, with the text of its first part.
        let found = ((try? String(contentsOfFile: smsdLog, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.contains(" sms to \"+62") }
        #expect(found.count == 2, "\(found)")
        #expect(found.first?.contains(#"Found 1 sms to "+6281234567009" with text "Eskalasi KWL-2026-0042""#) == true, "escalation first: \(found)")
        #expect(found.last?.contains(#"Found 2 sms to "+6281234567008" with text "🙏 Kasus KWL-2026-0042: rujukan ke UPTD PPA "hari ini""#) == true,
                "gammu read the Unicode text and split it in two UCS-2 parts: \(found)")
        #expect(Self.files(directory + "/gammu/error", suffix: ".txt").isEmpty)
        Self.expectPrivate(kawald, plugin: "sms", secrets: ["81234567008", "UPTD PPA", "Eskalasi"])
        #expect(kawald.stop() == 0)
    }

    // MARK: webhook

    static func webhookReceiver(port: Int, secretFile: String, folder: String, statuses: [Int], log: String, tls: (String, String)? = nil) throws -> Peer {
        var arguments = [peers + "/webhook_receiver.py"]
        if let tls { arguments += ["--tls", tls.0, tls.1] }
        arguments += [String(port), secretFile, folder] + statuses.map(String.init)
        return try Peer(systemPython, arguments, log: log, port: port)
    }

    static func writeSecret(_ path: String) throws {
        try "7f3a9c2e5b8d41f0a6e2c9b7d3f18e45\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
    }

    @Test func webhookIsSignedRetriedOnServerErrorsAndDeliveredOnce() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try Self.freePort()
        let secret = directory + "/webhook-secret"
        try Self.writeSecret(secret)
        let received = directory + "/received"
        // The secret as a systemd credential: $CREDENTIALS_DIRECTORY/webhook-secret.
        let kawald = try Self.kawald(in: directory, plugin: "webhook", executable: "notify-webhook",
                                     arguments: ["--url", "http://127.0.0.1:\(port)/kawal/notify?v=1", "--timeout", "2"],
                                     environment: ["CREDENTIALS_DIRECTORY": directory])
        let c = try kawald.connect()
        let id = try Self.enqueue(c, kind: "notify.webhook", key: "notify:w1:webhook", payload: Self.payload(id: "w1", phone: "0812-3456-7010"))
        // Nobody listens yet: connection refused is worth another try.
        #expect(waitUntil(20) { (try? Self.job(c, id)["attempts"]?.intValue ?? 0) ?? 0 >= 1 && (try? Self.job(c, id)["last_error"]) != .null })
        let down = try Self.job(c, id)
        #expect(down["state"] != "dead" && down["state"] != "done", "\(down)")
        #expect(down["last_error"]?.stringValue?.contains("cannot reach the webhook at 127.0.0.1:\(port): Connection refused") == true, "\(down)")
        let attemptsWhileDown = down["attempts"]?.intValue ?? 0

        // Then it answers 500, then nothing at all (the plugin gives up after its 2 s), then 200.
        let gateway = try Self.webhookReceiver(port: port, secretFile: secret, folder: received, statuses: [500, 0, 200], log: directory + "/gateway.log")
        defer { gateway.stop() }
        #expect(waitUntil(30) { (try? Self.job(c, id)["state"]) == "done" })
        let requests = ((try? String(contentsOfFile: received + "/requests.log", encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(requests == ["500 notify:w1:webhook", "0 notify:w1:webhook", "200 notify:w1:webhook"], "retried until delivered, once, with the same key")
        #expect(try Self.job(c, id)["attempts"]?.intValue ?? 0 >= attemptsWhileDown + 3)
        #expect(Self.pluginLines(kawald, "webhook").contains { $0.contains("the webhook did not answer within 2 s") },
                "\(Self.pluginLines(kawald, "webhook").joined(separator: "\n"))")
        #expect(Self.files(received, suffix: ".json") == ["1.json"])
        let record = try JSONValue(parsing: try String(contentsOfFile: received + "/1.json", encoding: .utf8))
        let body = record["body"]!
        #expect(body["message_id"] == "w1")
        #expect(body["to"]?["phone"] == "+6281234567010")
        #expect(body["to"]?["handler"] == "12")
        #expect(body["to"]?["email"] == nil)
        #expect(body["text"]?.stringValue == Self.text)
        #expect(body["case_codes"] == ["KWL-2026-0042"])
        #expect(record["headers"]?["Idempotency-Key"] == "notify:w1:webhook")
        #expect(record["headers"]?["X-Kawal-Signature"]?.stringValue?.hasPrefix("sha256=") == true)
        Self.expectPrivate(kawald, plugin: "webhook", secrets: ["81234567010", "3456-7010", "Halo Wayan", "7f3a9c2e"])
        #expect(!kawald.log.contains("7f3a9c2e"), "the secret is never logged")
        #expect(kawald.stop() == 0)
    }

    @Test func webhookRefusalsFailForGoodAndHTTPSWorks() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try Self.freePort()
        let secret = directory + "/webhook-secret"
        try Self.writeSecret(secret)
        let wrongSecret = directory + "/wrong-secret"
        try "00000000000000000000000000000000".write(toFile: wrongSecret, atomically: true, encoding: .utf8)
        chmod(wrongSecret, 0o600)
        // A self-signed certificate for localhost, trusted by the plugin through --ca-file.
        let openssl = try KawalBinaries.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                                                        "-addext", "subjectAltName=DNS:localhost", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem"])
        #expect(openssl.status == 0, "\(openssl.stderr)")
        let received = directory + "/received"
        let gateway = try Self.webhookReceiver(port: port, secretFile: secret, folder: received, statuses: [200], log: directory + "/gateway.log",
                                               tls: (directory + "/cert.pem", directory + "/key.pem"))
        defer { gateway.stop() }
        // One plugin per kawald: two with the same capability would share the jobs.
        let https = ["--url", "https://localhost:\(port)/hook", "--ca-file", directory + "/cert.pem"]
        var kawald = try Self.kawald(in: directory, plugin: "webhook", executable: "notify-webhook", arguments: https + ["--secret-file", secret])
        var c = try kawald.connect()
        let delivered = try Self.enqueue(c, kind: "notify.webhook", key: "notify:h1:webhook", payload: Self.payload(id: "h1", phone: "081234567011"))
        #expect(waitUntil(20) { (try? Self.job(c, delivered)["state"]) == "done" }, "\((try? Self.job(c, delivered)) ?? .null)\n\(kawald.log.suffix(2000))")
        #expect(Self.files(received, suffix: ".json") == ["1.json"])
        #expect(kawald.stop() == 0)

        // A gateway that does not share our secret refuses the signature: no point in trying again.
        kawald = try Self.kawald(in: directory, plugin: "webhook", executable: "notify-webhook", arguments: https + ["--secret-file", wrongSecret])
        c = try kawald.connect()
        let refused = try Self.enqueue(c, kind: "notify.webhook", key: "notify:h2:webhook", payload: Self.payload(id: "h2", phone: "081234567012"))
        #expect(waitUntil(20) { (try? Self.job(c, refused)["state"]) == "dead" })
        let job = try Self.job(c, refused)
        #expect(job["attempts"] == 1)
        #expect(job["last_error"]?.stringValue?.contains("HTTP 401") == true, "\(job)")
        #expect(Self.files(received, suffix: ".json") == ["1.json"])
        #expect(kawald.stop() == 0)
    }
}
