import Foundation
import KawalTesting
import Testing
import Varlink

/// kawald's structured log entries, read back from a real systemd-journald.
@Suite struct JournaldTests {
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
                   "a private journald needs root and unshare(1) to make a mount namespace"))
    func writesStructuredEntriesWhenStderrIsTheJournal() throws {
        let script = SourceTree.path("Tests/scripts/journald-namespace.sh")
        let binaries = try #require(KawalBinaries.directory())
        let result = try KawalBinaries.run("unshare", ["-m", "bash", script, binaries])
        // The script exits 77 when it cannot start a journald here: with root and unshare that is a
        // failure worth seeing, not a skip.
        #expect(result.status == 0, "\(result.stderr)")
        let entries = result.stdout.split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
            .filter { $0["SYSLOG_IDENTIFIER"] == "kawald" }
        let ready = try #require(entries.first { $0["MESSAGE"] == "kawald ready" }, "entries: \(entries)")
        #expect(ready["PRIORITY"] == "5")
        #expect(ready["CODE_FILE"] == "KawalDaemon/Daemon.swift")
        #expect(ready["CODE_LINE"]?.stringValue.flatMap { Int($0) } != nil)
        #expect(ready["CODE_FUNC"]?.stringValue?.isEmpty == false)
        #expect(ready["KAWAL_VERSION"] == "0.1.0")
        let reload = try #require(entries.first { $0["MESSAGE"] == "configuration reloaded" })
        #expect(reload["KAWAL_TRIGGER"] == "varlink call")
        #expect(entries.contains { $0["MESSAGE"] == "kawald stopped" })
        // Entries came through the native protocol, not as lines of text on the stream.
        #expect(!entries.contains { $0["_TRANSPORT"] == "stdout" })
        #expect(ready["_TRANSPORT"] == "journal")
    }
}
