import Testing
@testable import KawalDaemon

@Suite struct PrivacyConfigurationTests {
    @Test func readsReportsAndRetention() throws {
        let config = try Configuration.parse("""
            [reports]
            min_cell = 10
            recipients = ["koordinator"]
            by = ["desa", "sex"]
            format = "csv"

            [retention]
            default = "3y"
            violence = "3650d"
            child_marriage = "10 years"
            """, file: "k.toml")
        #expect(config.reports.minimumCell == 10)
        #expect(config.reports.recipients == ["koordinator"])
        #expect(config.reports.by == ["desa", "sex"])
        #expect(config.reports.format == "csv")
        #expect(config.retention.period(for: "document") == 3 * 365 * 86_400)
        #expect(config.retention.period(for: "violence") == 3650 * 86_400)
        #expect(config.retention.period(for: "child_marriage") == 10 * 365 * 86_400)
        #expect(Configuration().reports.minimumCell == 5)
        #expect(Configuration().retention.period(for: "bpjs") == 5 * 365 * 86_400)
    }

    @Test(arguments: [
        ("[reports]\nmin_cell = 1\n", "k.toml:2: reports.min_cell: 1 is out of range: expected 2 to 100 (5 is usual)"),
        ("[reports]\nby = [\"desa\", \"nama\"]\n", "k.toml:2: reports.by: 'nama' is not a report dimension: expected desa, type, sex, age_band, disability, status"),
        ("[reports]\nformat = \"pdf\"\n", "k.toml:2: reports.format: 'pdf' is not a monthly report format: expected md or csv"),
        ("[retention]\nviolence = \"ten years\"\n", "k.toml:2: retention.violence: 'ten years' is not a retention period: expected a number followed by d, w or y (e.g. \"5y\", \"3650d\"), at least 1d"),
        ("[retention]\nviolence = \"12h\"\n", "k.toml:2: retention.violence: '12h' is not a retention period: expected a number followed by d, w or y (e.g. \"5y\", \"3650d\"), at least 1d"),
        ("[retention]\nmarriage = \"5y\"\n", "k.toml:2: retention.marriage: unknown key: expected one of default, document, bpjs, social_assistance, violence, child_marriage, other"),
    ])
    func refusesWhatItCannotUse(text: String, message: String) {
        #expect(throws: (any Error).self) { try Configuration.parse(text, file: "k.toml") }
        do {
            _ = try Configuration.parse(text, file: "k.toml")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func theTestClockIsRefusedUnlessEnabled() throws {
        #expect(try TestClock.offset(environment: [:]) == nil)
        #expect(throws: TestClock.Refusal.self) { try TestClock.offset(environment: ["KAWAL_TEST_CLOCK_OFFSET": "10d"]) }
        #expect(try TestClock.offset(environment: ["KAWAL_TEST_CLOCK_OFFSET": "10d", "KAWAL_ENABLE_TEST_CLOCK": "1"]) == 864_000)
        #expect(throws: TestClock.Refusal.self) {
            try TestClock.offset(environment: ["KAWAL_TEST_CLOCK_OFFSET": "soon", "KAWAL_ENABLE_TEST_CLOCK": "1"])
        }
    }
}
