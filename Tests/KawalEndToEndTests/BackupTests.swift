import Foundation
import KawalCore
import KawalTesting
import Testing
import Varlink

/// Backups end to end: kawald, the real backup plugin, and the real `age`, `zstd` and `sqlite3`.
@Suite(.serialized) struct BackupTests {
    /// A kawald with [backup] and the backup plugin, an age key pair in `directory/key.txt`.
    struct Setup {
        var directory: String
        var kawald: KawalInstance
        var key: String { directory + "/key.txt" }
        var recipient: String
        var config: String

        func sh(_ script: String) throws -> CommandResult {
            try KawalBinaries.run("sh", ["-c", script], environment: ["KAWAL_BACKUP_TOOL": try KawalBinaries.path(of: "kawal-backup")])
        }

        func ctl(_ arguments: [String]) throws -> CommandResult {
            try kawald.kawalctl(arguments, environment: ["KAWAL_BACKUP_TOOL": try KawalBinaries.path(of: "kawal-backup")])
        }

        func count(_ table: String, in database: String) throws -> Int {
            Int(try sh("sqlite3 -readonly '\(database)' 'SELECT count(*) FROM \(table)'").stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }

        var database: String { kawald.stateDirectory + "/kawal.db" }

        func liveCount(_ table: String) throws -> Int { try count(table, in: database) }

        func addPerson(_ name: String) throws {
            let result = try ctl(["person", "add", "--name", name, "--village", "Sembalun"])
            #expect(result.status == 0, "\(result.stderr)")
        }

        func backupNow() throws -> [String: JSONValue] {
            let result = try ctl(["backup", "now", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            return (try? JSONValue(parsing: result.stdout))?.objectValue ?? [:]
        }

        func restart() throws -> Setup {
            _ = kawald.stop()
            var copy = self
            copy.kawald = try KawalInstance.start(.init(config: config), directory: directory)
            try copy.waitForPlugin()
            return copy
        }

        /// Unencrypted copies of the database older than `date`: snapshots and decrypted backups in
        /// the state folder, snapshots in the backup folder.
        func clearCopies(olderThan date: Date) -> [String] {
            let state = kawald.stateDirectory
            return [state + "/snapshots", state + "/restore", state + "/backups", memoryFolder].flatMap { folder in
                ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).map { folder + "/" + $0 }
            }.filter { path in
                guard !path.hasPrefix(state + "/backups/") || path.contains("snapshot") else { return false }
                let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantFuture
                return modified < date
            }
        }

        /// This kawald's folder for snapshots in memory.
        var memoryFolder: String { KawalDefaults.memorySnapshotDirectory(stateDirectory: kawald.stateDirectory, uid: getuid()) }

        /// Stops kawald and removes its folders, the one in /dev/shm included.
        func remove() {
            _ = kawald.stop()
            try? FileManager.default.removeItem(atPath: memoryFolder)
            try? FileManager.default.removeItem(atPath: directory)
        }

        func waitForPlugin() throws {
            let started = try waitUntil(40, interval: 0.1) { try ctl(["plugin", "list"]).stdout.contains("running") }
            #expect(started, "the backup plugin did not start: \(kawald.log.suffix(2000))")
        }
    }

    static func setup(extra: String = "") throws -> Setup {
        let directory = try KawalInstance.makeTemporaryDirectory()
        let keygen = try KawalBinaries.run("age-keygen", ["-o", directory + "/key.txt"])
        let recipient = keygen.stderr.components(separatedBy: "Public key: ").last!.trimmingCharacters(in: .whitespacesAndNewlines)
        let config = """
            [scheduler]
            plugin_crash_limit = 1000

            [backup]
            recipients = ["\(recipient)"]
            \(extra)

            [plugins.backup]
            exec = "\(try KawalBinaries.path(of: "kawal-backup"))"

            """
        let kawald = try KawalInstance.start(.init(config: config), directory: directory)
        let setup = Setup(directory: directory, kawald: kawald, recipient: recipient, config: config)
        try setup.waitForPlugin()
        return setup
    }

    @Test func backupOpensWithAgeAndZstdAndListsVerifiesAndShowsInStatus() throws {
        let s = try Self.setup()
        defer { s.remove() }
        for name in ["Siti", "Rina", "Ahmad"] { try s.addPerson(name) }
        let manifest = try s.backupNow()
        let id = try #require(manifest["id"]?.stringValue)
        #expect(id.hasPrefix("kawal-"))
        #expect(manifest["counts"]?["person"]?.intValue == 3)
        #expect(manifest["recipients"]?.arrayValue?.first?.stringValue == s.recipient)
        #expect(manifest["integrity_check"]?.stringValue == "ok")
        let file = s.kawald.stateDirectory + "/backups/\(id).db.zst.age"
        #expect(FileManager.default.fileExists(atPath: file))
        #expect(FileManager.default.fileExists(atPath: s.kawald.stateDirectory + "/backups/\(id).manifest.json"))

        // The standard tools open it: age, then zstd, then sqlite3 sees the same rows.
        let opened = try s.sh("age -d -i '\(s.key)' '\(file)' | zstd -d -q -o '\(s.directory)/plain.db' && echo done")
        #expect(opened.stdout.contains("done"), "\(opened.stderr)")
        #expect(try s.count("person", in: s.directory + "/plain.db") == 3)
        #expect(try s.sh("sha256sum '\(s.directory)/plain.db'").stdout.hasPrefix(manifest["plaintext_sha256"]?.stringValue ?? "?"))

        let list = try s.ctl(["backup", "list"])
        #expect(list.stdout.contains(id) && list.stdout.contains(" ok "), "\(list.stdout)")
        let verify = try s.ctl(["backup", "verify", id])
        #expect(verify.status == 0 && verify.stdout.contains("matches its manifest"), "\(verify.stdout)\(verify.stderr)")
        let deep = try s.ctl(["backup", "verify", id, "--identity", s.key])
        #expect(deep.status == 0 && deep.stdout.contains("integrity_check"), "\(deep.stdout)\(deep.stderr)")
        let status = try s.ctl(["status"])
        #expect(status.stdout.contains("Last backup") && status.stdout.contains("ago"), "\(status.stdout)")
    }

    /// `backup now` and `backup verify` report progress: over varlink with `more` (the plugin's
    /// progress, passed on by kawald), and as a bar when kawalctl runs in a terminal.
    @Test func backupAndVerifyReportProgress() throws {
        let s = try Self.setup()
        defer { s.remove() }
        try s.addPerson("Siti")
        let c = try s.kawald.connect()
        var progress: [(Int64, Int64)] = []
        var last: [String: JSONValue] = [:]
        try c.callMore("io.kawal.Backup.Now") { reply in
            if let p = reply["progress"], p != .null {
                #expect(p["phase"] == "backup")
                progress.append((p["done_bytes"]?.intValue ?? -1, p["total_bytes"]?.intValue ?? -1))
            } else {
                last = reply
            }
            return true
        }
        let id = try #require(last["backup"]?["id"]?.stringValue)
        #expect(!progress.isEmpty, "no progress before the backup")
        #expect(progress.map(\.0) == progress.map(\.0).sorted(), "progress went backwards: \(progress)")
        #expect(progress.last.map { $0.0 == $0.1 && $0.1 > 0 } == true, "progress did not end at 100%: \(progress.suffix(3))")
        var verified: [String: JSONValue] = [:]
        var verifyProgress = 0
        try c.callMore("io.kawal.Backup.Verify", ["id": .string(id)]) { reply in
            if let p = reply["progress"], p != .null { verifyProgress += 1 } else { verified = reply }
            return true
        }
        #expect(verified["ok"] == true && verifyProgress >= 1)

        // In a terminal (script(1) gives kawalctl a pseudo-terminal): a bar that reaches 100%.
        let environment = "KAWAL_SOCKET='\(s.kawald.socketPath)'"
        let kawalctl = try KawalBinaries.path(of: "kawalctl")
        let terminal = try s.sh("\(environment) script -qec \"'\(kawalctl)' backup now\" /dev/null")
        #expect(terminal.stdout.contains("Backing up [") && terminal.stdout.contains("100%") && terminal.stdout.contains(".db.zst.age"),
                "\(terminal.stdout)\(terminal.stderr)")
        let verifyTerminal = try s.sh("\(environment) script -qec \"'\(kawalctl)' backup verify \(id)\" /dev/null")
        #expect(verifyTerminal.stdout.contains("Verifying [") && verifyTerminal.stdout.contains("matches its manifest"), "\(verifyTerminal.stdout)")
    }

    @Test func restoresAFileMadeByAgeAndZstdAndKeepsThePreviousDatabase() throws {
        let s = try Self.setup()
        defer { s.remove() }
        try s.addPerson("Siti")
        let manifest = try s.backupNow()
        let id = try #require(manifest["id"]?.stringValue)
        let file = s.kawald.stateDirectory + "/backups/\(id).db.zst.age"
        // A file made with the standard tools from the decrypted backup.
        let made = try s.sh("age -d -i '\(s.key)' '\(file)' | zstd -d -q | zstd -3 -q | age -r \(s.recipient) > '\(s.directory)/foreign.zst.age' && echo done")
        #expect(made.stdout.contains("done"), "\(made.stderr)")
        try s.addPerson("Rina")
        try s.addPerson("Ahmad")
        #expect(try s.liveCount("person") == 3)

        let restore = try s.ctl(["backup", "restore", "--file", s.directory + "/foreign.zst.age", "--identity", s.key])
        #expect(restore.status == 0, "\(restore.stdout)\(restore.stderr)")
        #expect(restore.stdout.contains("person") && restore.stdout.contains("-2"), "\(restore.stdout)")
        #expect(try s.liveCount("person") == 1)
        // kawald serves the restored data, and the previous database is kept.
        let people = try s.ctl(["person", "list", "--json"])
        #expect(people.stdout.contains("Siti") && !people.stdout.contains("Rina"), "\(people.stdout)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: s.kawald.stateDirectory).filter { $0.hasPrefix("kawal.db.pre-restore-") }
        #expect(kept.count == 1)
        if let previous = kept.first { #expect(try s.count("person", in: s.kawald.stateDirectory + "/" + previous) == 3) }
        #expect(try s.sh("sqlite3 '\(s.database)' 'PRAGMA integrity_check'").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")

        // And by id, from Kawal's own backup.
        let byID = try s.ctl(["backup", "restore", id, "--identity", s.key])
        #expect(byID.status == 0, "\(byID.stderr)")
        #expect(try s.liveCount("person") == 1)

        // An ASCII-armored file (age -a) too; one with its armor broken is refused, the database kept.
        try s.addPerson("Rina")
        let armored = try s.sh("age -d -i '\(s.key)' '\(file)' | age -a -r \(s.recipient) > '\(s.directory)/armored.zst.age' && echo done")
        #expect(armored.stdout.contains("done"), "\(armored.stderr)")
        let fromArmor = try s.ctl(["backup", "restore", "--file", s.directory + "/armored.zst.age", "--identity", s.key])
        #expect(fromArmor.status == 0, "\(fromArmor.stdout)\(fromArmor.stderr)")
        #expect(try s.liveCount("person") == 1)
        try s.addPerson("Rina")
        _ = try s.sh("sed -i '2s/^./ &/' '\(s.directory)/armored.zst.age'")
        let broken = try s.ctl(["backup", "restore", "--file", s.directory + "/armored.zst.age", "--identity", s.key])
        #expect(broken.status != 0 && broken.stderr.contains("ASCII-armored"), "\(broken.stderr)")
        #expect(try s.liveCount("person") == 2)
    }

    @Test func damagedBackupsAreRefusedAndTheLiveDatabaseIsUntouched() throws {
        let s = try Self.setup()
        defer { s.remove() }
        try s.addPerson("Siti")
        let id = try #require(try s.backupNow()["id"]?.stringValue)
        try s.addPerson("Rina")
        let backups = s.kawald.stateDirectory + "/backups"
        let file = backups + "/\(id).db.zst.age"
        let original = try Data(contentsOf: URL(fileURLWithPath: file))

        // Wrong identity.
        _ = try KawalBinaries.run("age-keygen", ["-o", s.directory + "/other.txt"])
        let wrong = try s.ctl(["backup", "restore", id, "--identity", s.directory + "/other.txt"])
        #expect(wrong.status != 0 && wrong.stderr.contains("none of the given identities can open this file"), "\(wrong.stderr)")

        // A flipped byte: the stored hash no longer matches, and decryption fails authentication.
        var flipped = original
        flipped[flipped.count / 2] ^= 0x40
        try flipped.write(to: URL(fileURLWithPath: file))
        let verify = try s.ctl(["backup", "verify", id])
        #expect(verify.status == 1 && verify.stderr.contains("SHA-256"), "\(verify.stderr)")
        let restoreFlipped = try s.ctl(["backup", "restore", id, "--identity", s.key])
        #expect(restoreFlipped.status != 0 && restoreFlipped.stderr.contains("fails authentication"), "\(restoreFlipped.stderr)")
        try flipped.write(to: URL(fileURLWithPath: s.directory + "/flipped.age"))
        let foreignFlipped = try s.ctl(["backup", "restore", "--file", s.directory + "/flipped.age", "--identity", s.key])
        #expect(foreignFlipped.status != 0 && foreignFlipped.stderr.contains("fails authentication"), "\(foreignFlipped.stderr)")

        // Truncated.
        try original.prefix(original.count - 100).write(to: URL(fileURLWithPath: file))
        let truncated = try s.ctl(["backup", "restore", id, "--identity", s.key])
        #expect(truncated.status != 0, "\(truncated.stderr)")
        try original.prefix(original.count - 100).write(to: URL(fileURLWithPath: s.directory + "/truncated.age"))
        let foreignTruncated = try s.ctl(["backup", "restore", "--file", s.directory + "/truncated.age", "--identity", s.key])
        #expect(foreignTruncated.status != 0 && foreignTruncated.stderr.contains("truncated"), "\(foreignTruncated.stderr)")

        // Missing manifest: listed as not good, refused by id.
        try original.write(to: URL(fileURLWithPath: file))
        try FileManager.default.removeItem(atPath: backups + "/\(id).manifest.json")
        #expect(try s.ctl(["backup", "list"]).stdout.contains("manifest missing"))
        let noManifest = try s.ctl(["backup", "restore", id, "--identity", s.key])
        #expect(noManifest.status == 1 && noManifest.stderr.contains("manifest missing"), "\(noManifest.stderr)")

        // From a newer Kawal: its database has a migration this kawald does not know.
        let future = try s.sh("""
            age -d -i '\(s.key)' '\(file)' | zstd -d -q -o '\(s.directory)/future.db' \
            && sqlite3 '\(s.directory)/future.db' "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')" \
            && zstd -q -c '\(s.directory)/future.db' | age -r \(s.recipient) > '\(s.directory)/future.zst.age' && echo done
            """)
        #expect(future.stdout.contains("done"), "\(future.stderr)")
        let newer = try s.ctl(["backup", "restore", "--file", s.directory + "/future.zst.age", "--identity", s.key])
        #expect(newer.status != 0 && newer.stderr.contains("newer Kawal") && newer.stderr.contains("v99-from-the-future"), "\(newer.stderr)")

        #expect(try s.liveCount("person") == 2, "the live database was not touched")
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.kawald.stateDirectory).filter { $0.hasPrefix("kawal.db.pre-restore-") }.isEmpty)
    }

    /// The off-site target: the real restic, a local repository. The copy is the encrypted file
    /// itself (restic dump gives back the same bytes), and a broken repository leaves the local
    /// backup good, marks the copy failed in list and status, and raises an alert.
    @Test func backupsAreCopiedToAResticRepositoryAndAFailedCopyIsAlerted() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let repository = directory + "/restic-repo"
        let password = directory + "/restic-password"
        try "kata sandi restic uji\n".write(toFile: password, atomically: true, encoding: .utf8)
        let restic = ["--repo", repository, "--password-file", password]
        let initialised = try KawalBinaries.run("restic", restic + ["init", "--quiet"])
        #expect(initialised.status == 0, "\(initialised.stderr)")

        var s = try Self.setup(extra: """
            restic_repository = "\(repository)"
            restic_password_file = "\(password)"
            """)
        defer { s.remove() }
        try s.addPerson("Siti")
        let manifest = try s.backupNow()
        let id = try #require(manifest["id"]?.stringValue)
        func offsite(_ id: String) throws -> JSONValue? {
            var copy: JSONValue?
            _ = try waitUntil(60, interval: 0.2) {
                let list = try JSONValue(parsing: try s.ctl(["backup", "list", "--json"]).stdout)
                copy = list["backups"]?.arrayValue?.first { $0["id"]?.stringValue == id }?["offsite"]
                return copy?.objectValue != nil
            }
            return copy?.objectValue != nil ? copy : nil
        }
        let copy = try #require(try offsite(id), "no off-site record: \(s.kawald.log.suffix(1500))")
        #expect(copy["error"]?.stringValue == nil, "\(copy)")
        #expect(copy["snapshots"]?.arrayValue?.count == 2)

        // restic holds exactly the encrypted file: same SHA-256 as the manifest's ciphertext.
        let snapshots = try KawalBinaries.run("restic", restic + ["snapshots", "--json", "--tag", "kawal-backup=\(id)"])
        #expect((try? JSONValue(parsing: snapshots.stdout))?.arrayValue?.count == 2, "\(snapshots.stdout)\(snapshots.stderr)")
        let dumped = try s.sh("restic --repo '\(repository)' --password-file '\(password)' dump --tag kawal-backup=\(id),kawal-file=data latest '/\(id).db.zst.age' | sha256sum")
        #expect(dumped.stdout.hasPrefix(manifest["ciphertext_sha256"]?.stringValue ?? "?"), "\(dumped.stdout)\(dumped.stderr)")
        // …which age and zstd open into the database.
        let opened = try s.sh("restic --repo '\(repository)' --password-file '\(password)' dump --tag kawal-backup=\(id),kawal-file=data latest '/\(id).db.zst.age' | age -d -i '\(s.key)' | zstd -d -q -o '\(s.directory)/offsite.db' && echo done")
        #expect(opened.stdout.contains("done"), "\(opened.stderr)")
        #expect(try s.count("person", in: s.directory + "/offsite.db") == 1)
        let list = try s.ctl(["backup", "list"])
        #expect(list.stdout.contains("restic \(copy["snapshots"]?.arrayValue?.first?.stringValue?.prefix(8) ?? "?")"), "\(list.stdout)")
        let status = try s.ctl(["status"])
        #expect(status.stdout.contains("Off-site copy") && !status.stdout.contains("FAILED"), "\(status.stdout)")

        // The repository goes missing (a disconnected disk): the local backup is still good.
        try FileManager.default.moveItem(atPath: repository, toPath: repository + ".away")
        s = try s.restart()
        let second = try s.backupNow()
        let secondID = try #require(second["id"]?.stringValue)
        #expect(secondID != id)
        let failed = try #require(try offsite(secondID))
        #expect(failed["error"]?.stringValue?.contains("restic backup") == true, "\(failed)")
        #expect(try s.ctl(["backup", "verify", secondID]).status == 0)
        let failedList = try s.ctl(["backup", "list"])
        #expect(failedList.stdout.contains("FAILED"), "\(failedList.stdout)")
        let failedStatus = try s.ctl(["status"])
        #expect(failedStatus.stdout.contains("LAST COPY FAILED"), "\(failedStatus.stdout)")
        #expect(s.kawald.log.contains("ALERT: the off-site copy of a backup failed"), "\(s.kawald.log.suffix(1500))")
        #expect(s.kawald.log.contains("ALERT: backup_offsite_failed"))
        #expect(!s.kawald.log.contains("kata sandi"), "the restic password never reaches the log")
    }

    @Test func anOverdueBackupIsFlaggedInStatusAndAlertedInTheLog() throws {
        let s = try Self.setup(extra: "max_age = \"2s\"")
        defer { s.remove() }
        _ = try s.backupNow()
        #expect(!(try s.ctl(["status"]).stdout.contains("OVERDUE")))
        _ = waitUntil(15, interval: 0.2) { s.kawald.log.contains("backups are overdue") }
        #expect(s.kawald.log.contains("ALERT: backups are overdue"), "\(s.kawald.log.suffix(1500))")
        let status = try s.ctl(["status"])
        #expect(status.stdout.contains("OVERDUE"), "\(status.stdout)")
        let json = (try? JSONValue(parsing: try s.ctl(["status", "--json"]).stdout))?["backup"]
        #expect(json?["stale"]?.boolValue == true)
    }

    @Test func pruneListsEachBackupWithItsReason() throws {
        let s = try Self.setup(extra: "keep_last = 1\nkeep_daily = 0\nkeep_weekly = 0\nkeep_monthly = 0")
        defer { s.remove() }
        let first = try #require(try s.backupNow()["id"]?.stringValue)
        // The second backup's retention pass removes the first: keep_last = 1.
        let second = try #require(try s.backupNow()["id"]?.stringValue)
        #expect(first != second)
        let dry = try s.ctl(["backup", "prune", "--dry-run"])
        #expect(dry.stdout.contains(second) && dry.stdout.contains("last 1 of 1"), "\(dry.stdout)")
        #expect(!dry.stdout.contains(first), "the first backup was pruned after the second: \(dry.stdout)")
    }

    /// kill -9 of the plugin during backups and of kawald during restores: no half-written backup is
    /// ever listed as good, and the live database is always the old or the restored one, intact.
    @Test func killedMidwayNeverLeavesAHalfBackupOrAHalfDatabase() throws {
        // Every backup kept: retention running after a background backup must not race the checks below.
        var s = try Self.setup(extra: "keep_last = 1000")
        defer { s.remove() }
        try s.addPerson("Siti")
        // Incompressible filler, so that a backup takes long enough to be interrupted.
        _ = s.kawald.stop()
        _ = try s.sh("sqlite3 '\(s.database)' \"CREATE TABLE filler(b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 400) INSERT INTO filler SELECT randomblob(100000) FROM n;\"")
        s = try s.restart()
        let restorable = try #require(try s.backupNow()["id"]?.stringValue)
        // Writers keep working while a backup runs (VACUUM INTO reads a snapshot; WAL lets writes go on).
        let background = Process()
        background.executableURL = URL(fileURLWithPath: try KawalBinaries.path(of: "kawalctl"))
        background.arguments = ["backup", "now"]
        background.environment = ["KAWAL_SOCKET": s.kawald.socketPath, "PATH": "/usr/bin:/bin"]
        background.standardOutput = FileHandle.nullDevice
        background.standardError = FileHandle.nullDevice
        try background.run()
        var addedDuringBackup = 0
        while background.isRunning {
            let added = try s.ctl(["person", "add", "--name", "Writer \(addedDuringBackup)", "--village", "Sembalun"])
            #expect(added.status == 0, "a write failed during a backup: \(added.stderr)")
            if background.isRunning { addedDuringBackup += 1 }
        }
        #expect(background.terminationStatus == 0)
        #expect(addedDuringBackup >= 1, "no write completed while the backup ran")
        print("writes completed while a backup ran: \(addedDuringBackup)")
        try s.addPerson("Rina")
        var trials = 0
        var restoredBeforeKill = 0
        var pluginKills = 0
        var generator = SystemRandomNumberGenerator()
        // Five: the plugin host's restart back-off doubles with each crash (1, 2, 4, 8, 16 s).
        for _ in 0..<5 {
            // The plugin, killed at a random point of a backup.
            let plugin = try s.ctl(["plugin", "list", "--json"]).stdout
            let pid = (try? JSONValue(parsing: plugin))?["plugins"]?.arrayValue?.first?["pid"]?.intValue ?? 0
            let run = try s.sh("""
                (KAWAL_SOCKET='\(s.kawald.socketPath)' '\(try KawalBinaries.path(of: "kawalctl"))' backup now >/dev/null 2>&1 &)
                sleep 0.\(String(format: "%03d", Int.random(in: 50...900, using: &generator)))
                [ \(pid) -gt 0 ] && kill -9 \(pid) && echo killed
                """)
            trials += 1
            if run.stdout.contains("killed") { pluginKills += 1 }
            try s.waitForPlugin()
            for backup in (try? JSONValue(parsing: try s.ctl(["backup", "list", "--json"]).stdout))?["backups"]?.arrayValue ?? []
            where backup["state"]?.stringValue == "ok" {
                let id = backup["id"]?.stringValue ?? ""
                let verify = try s.ctl(["backup", "verify", id])
                #expect(verify.status == 0, "a backup listed as good does not verify after a kill: \(id) \(verify.stderr)")
            }
        }
        for round in 0..<16 {
            // kawald, killed at a random point of a restore (even rounds) or of a backup (odd rounds).
            let before = try s.liveCount("person")
            let command = round % 2 == 0 ? "backup restore \(restorable) --identity '\(s.key)'" : "backup now"
            _ = try s.sh("""
                (KAWAL_SOCKET='\(s.kawald.socketPath)' KAWAL_BACKUP_TOOL='\(try KawalBinaries.path(of: "kawal-backup"))' '\(try KawalBinaries.path(of: "kawalctl"))' \(command) >/dev/null 2>&1 &)
                sleep 0.\(String(format: "%03d", Int.random(in: 50...900, using: &generator)))
                kill -9 \(s.kawald.process.processIdentifier)
                """)
            s.kawald.process.waitUntilExit()
            trials += 1
            let integrity = try s.sh("sqlite3 '\(s.database)' 'PRAGMA integrity_check'").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(integrity == "ok", "after kill -9 (round \(round)): \(integrity)")
            let after = try s.liveCount("person")
            #expect(after == before || after == 1, "the live database is neither the old (\(before) people) nor the restored (1): \(after)")
            let restarted = Date()
            s = try s.restart()
            let left = s.clearCopies(olderThan: restarted)
            #expect(left.isEmpty, "unencrypted copies of the database outlived kawald (round \(round)): \(left)")
            for backup in (try? JSONValue(parsing: try s.ctl(["backup", "list", "--json"]).stdout))?["backups"]?.arrayValue ?? []
            where backup["state"]?.stringValue == "ok" {
                let verify = try s.ctl(["backup", "verify", backup["id"]?.stringValue ?? ""])
                #expect(verify.status == 0, "a backup listed as good does not verify after kawald was killed: \(verify.stderr)")
            }
            if after == 1 { try s.addPerson("Rina") }
            if round % 2 == 0 { restoredBeforeKill += after == 1 ? 1 : 0 }
        }
        print("crash trials: \(trials); restores that completed before kill -9: \(restoredBeforeKill) of 8, the others left the old database")
        #expect(trials >= 20)
        #expect(pluginKills == 5, "the plugin was killed in \(pluginKills) of 5 rounds")
    }
}
