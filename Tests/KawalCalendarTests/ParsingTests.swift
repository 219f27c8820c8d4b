import Testing
@testable import KawalCalendar

@Suite struct ParsingTests {
    /// The examples of systemd.time(7), and what systemd-analyze 252 prints for them.
    @Test(arguments: [
        ("Sat,Thu,Mon..Wed,Sat..Sun", "Mon..Thu,Sat,Sun *-*-* 00:00:00"),
        ("Mon,Sun 12-*-* 2,1:23", "Mon,Sun 2012-*-* 01,02:23:00"),
        ("Wed *-1", "Wed *-*-01 00:00:00"),
        ("Wed..Wed,Wed *-1", "Wed *-*-01 00:00:00"),
        ("Wed, 17:48", "Wed *-*-* 17:48:00"),
        ("Wed..Sat,Tue 12-10-15 1:2:3", "Tue..Sat 2012-10-15 01:02:03"),
        ("*-*-7 0:0:0", "*-*-07 00:00:00"),
        ("10-15", "*-10-15 00:00:00"),
        ("monday *-12-* 17:00", "Mon *-12-* 17:00:00"),
        ("Mon,Fri *-*-3,1,2 *:30:45", "Mon,Fri *-*-01,02,03 *:30:45"),
        ("12,14,13,12:20,10,30", "*-*-* 12,13,14:10,20,30:00"),
        ("12..14:10,20,30", "*-*-* 12..14:10,20,30:00"),
        ("mon,fri *-1/2-1,3 *:30:45", "Mon,Fri *-01/2-01,03 *:30:45"),
        ("03-05 08:05:40", "*-03-05 08:05:40"),
        ("05:40", "*-*-* 05:40:00"),
        ("2003-03-05 05:40", "2003-03-05 05:40:00"),
        ("05:40:23.4200004/3.1700005", "*-*-* 05:40:23.420000/3.170001"),
        ("2003-02..04-05", "2003-02..04-05 00:00:00"),
        ("2003-03-05 05:40 UTC", "2003-03-05 05:40:00 UTC"),
        ("*:2/3", "*-*-* *:02/3:00"),
        ("*-*~01", "*-*~01 00:00:00"),
        ("Mon *-05~07/1", "Mon *-05~07/1 00:00:00"),
        ("Mon..Fri 08:00 Asia/Makassar", "Mon..Fri *-*-* 08:00:00 Asia/Makassar"),
        ("mon-wed,fri 8:00 utc", "Mon..Wed,Fri *-*-* 08:00:00 UTC"),
        ("Mon..Sun 12:00", "*-*-* 12:00:00"),
        ("*:*:1.9999995", "*-*-* *:*:02"),
        ("*:00:00/0.25", "*-*-* *:00:00/0.250000"),
        ("00..23:00", "*-*-* 00..23:00:00"),
        ("*-*-1..31/7", "*-*-01..29/7 00:00:00"),
        ("70-1-1", "1970-01-01 00:00:00"),
        ("69-1-1", "2069-01-01 00:00:00"),
        ("@1700000000", "2023-11-14 22:13:20 UTC"),
        ("@1700000000 Asia/Makassar", "2023-11-14 22:13:20 UTC"),
        ("*-*~01..03", "*-*~01..03 00:00:00"),
        ("*-*-* ", "*-*-* 00:00:00"),
        ("12:00 Etc/GMT+8", "*-*-* 12:00:00 Etc/GMT+8"),
    ])
    func normalizedForm(expression: String, normalized: String) throws {
        #expect(try CalendarSpec(parsing: expression).normalized == normalized)
    }

    @Test(arguments: [
        ("minutely", "*-*-* *:*:00"), ("hourly", "*-*-* *:00:00"), ("daily", "*-*-* 00:00:00"),
        ("monthly", "*-*-01 00:00:00"), ("weekly", "Mon *-*-* 00:00:00"), ("yearly", "*-01-01 00:00:00"),
        ("annually", "*-01-01 00:00:00"), ("anually", "*-01-01 00:00:00"), ("quarterly", "*-01,04,07,10-01 00:00:00"),
        ("semiannually", "*-01,07-01 00:00:00"), ("semi-annually", "*-01,07-01 00:00:00"), ("biannually", "*-01,07-01 00:00:00"),
        ("bi-annually", "*-01,07-01 00:00:00"), ("DAILY", "*-*-* 00:00:00"), ("daily UTC", "*-*-* 00:00:00 UTC"),
        ("weekly Pacific/Auckland", "Mon *-*-* 00:00:00 Pacific/Auckland"),
    ])
    func shorthand(expression: String, normalized: String) throws {
        #expect(try CalendarSpec(parsing: expression).normalized == normalized)
    }

    /// What systemd-analyze 252 refuses, and the column kawalctl points at.
    @Test(arguments: [
        ("dailyfoo", 1), ("daily 12:00", 7), ("Sun..Mon", 6), ("Mon..Fry 08:00", 6), ("Mond", 1), ("Mon..", 6 as Int?), ("foo", 1),
        ("*-*-* 24:00", 7), ("*:60", 3), ("*:*:59/2", 5), ("*:00:01..01", 6), ("10..5:00", 1), ("*-02~29", 6),
        ("*-*~01/2", 5), ("*-*~26,01", 5), ("1969-12-31", 1), ("2200-01-01", 1), ("@1h", 3), (" 12:00", 1),
        ("12:00 Asia/Makasar", 6), ("12:00 WITA", 6), ("", nil), (" UTC", nil), ("*:*:00/0", 8), ("2025~01-01", 5),
    ])
    func rejected(expression: String, column: Int?) {
        #expect {
            _ = try CalendarSpec(parsing: expression)
        } throws: { error in
            guard let error = error as? CalendarSpecError else { return false }
            return error.column == column && !error.problem.isEmpty && !error.expected.isEmpty
        }
    }

    @Test func errorsSayWhatAndWhere() {
        #expect {
            _ = try CalendarSpec(parsing: "Mon..Fry 08:00")
        } throws: { error in
            "\(error)" == "'Mon..Fry 08:00': at character 6 ('Fry 08:00'): 'Fry' is not a weekday; expected Mon, Tue, Wed, Thu, Fri, Sat or Sun (or the full name)"
        }
        #expect {
            _ = try CalendarSpec(parsing: "*-*-* 25:00")
        } throws: { error in
            "\(error)" == "'*-*-* 25:00': at character 7 ('25:00'): hour 25 is out of range; expected an hour in 0..23"
        }
        #expect {
            _ = try CalendarSpec(parsing: "08:00 Asia/Makasar")
        } throws: { error in
            "\(error)".contains("'Asia/Makasar' is not a time zone in /usr/share/zoneinfo")
        }
    }

    /// An expression may end with the local zone's abbreviation, which picks standard or daylight time.
    @Test func localAbbreviations() throws {
        let makassar = zone("Asia/Makassar")
        #expect(try CalendarSpec(parsing: "12:00 WITA", localZone: makassar).normalized == "*-*-* 12:00:00 WITA")
        let berlin = zone("Europe/Berlin")
        #expect(try CalendarSpec(parsing: "Mon 12:00 cest", localZone: berlin).normalized == "Mon *-*-* 12:00:00 CEST")
        #expect(throws: CalendarSpecError.self) { try CalendarSpec(parsing: "12:00 WITA") }
    }
}
