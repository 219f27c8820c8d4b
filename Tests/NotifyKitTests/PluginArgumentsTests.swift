import KawalPluginKit
import Testing

/// KAWAL_PLUGIN_ARGS, as kawal-plugin@NAME.service reads it from /etc/kawal/plugins/NAME.conf.
struct PluginArgumentsTests {
    @Test(arguments: [
        ("--url https://gw.example.org/kawal", ["--url", "https://gw.example.org/kawal"]),
        ("  --timeout\t20 \n", ["--timeout", "20"]),
        ("--from 'Kawal LSM <kawal@lsm.example.org>' --time-zone Asia/Makassar",
         ["--from", "Kawal LSM <kawal@lsm.example.org>", "--time-zone", "Asia/Makassar"]),
        (#"--from "Kawal \"LSM\" <k@x.org>""#, ["--from", #"Kawal "LSM" <k@x.org>"#]),
        (#"--sendmail-arg=-C --sendmail-arg='/etc/kawal/my msmtprc'"#, ["--sendmail-arg=-C", "--sendmail-arg=/etc/kawal/my msmtprc"]),
        (#"a\ b c"#, ["a b", "c"]),
        (#""a\nb""#, [#"a\nb"#]),
        ("''", [""]),
        ("", []),
    ])
    func splitsAsAShellWould(text: String, words: [String]) throws {
        #expect(try PluginArguments.words(text) == words)
    }

    @Test(arguments: [
        ("--from 'Kawal <k@x.org>", "the ' quote opened at column 8 is not closed"),
        (#"--url "http://x"#, "the \" quote opened at column 7 is not closed"),
        (#"--url x\"#, "a backslash at the end has nothing to keep"),
    ])
    func refusesWhatItCannotRead(text: String, reason: String) {
        #expect(throws: PluginArgumentsError.self) { try PluginArguments.words(text) }
        do {
            _ = try PluginArguments.words(text)
        } catch {
            #expect(error.message.hasPrefix(reason), "\(error)")
        }
    }

    @Test func theFileComesBeforeTheCommandLine() throws {
        let merged = try PluginArguments.merged(environment: ["KAWAL_PLUGIN_ARGS": "--url https://a --timeout 5"], arguments: ["--timeout", "9"])
        #expect(merged == ["--url", "https://a", "--timeout", "5", "--timeout", "9"])
        #expect(try PluginArguments.merged(environment: [:], arguments: ["--help"]) == ["--help"])
    }
}
