import Testing
import KawalCalendar

/// The one duration grammar reads everything the settings, the API and retention periods took
/// before it (a number and one of s, m, h, d, w; retention: d, w, y of 365 days) to the same seconds.
@Suite struct TimespanTests {
    @Test(arguments: [("s", 1.0), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)])
    func theFormerSettingsGrammar(unit: String, seconds: Double) {
        for number in ["0", "1", "2", "30", "1.5", "0.25", "3650"] {
            #expect(Timespan.seconds(number + unit) == Double(number)! * seconds, "\(number)\(unit)")
        }
    }

    @Test(arguments: [("d", 86_400.0), ("w", 604_800), ("y", 31_536_000)])
    func theFormerRetentionGrammar(unit: String, seconds: Double) {
        for number in ["1", "5", "10", "1.5", "90"] {
            #expect(Timespan.seconds(number + unit, year: .days365) == Double(number)! * seconds, "\(number)\(unit)")
        }
    }

    @Test func systemdsTimespans() {
        #expect(Timespan.seconds("90") == 90)
        #expect(Timespan.seconds("1h 30min") == 5400)
        #expect(Timespan.seconds(" 2d ") == 172_800)
        #expect(Timespan.seconds("1y") == 31_557_600)
        #expect(Timespan.seconds("250ms") == 0.25)
    }

    @Test(arguments: ["", " ", "d", "-1d", "3x", "1d x", "inf", "nan", "1..5d"])
    func refused(_ text: String) {
        #expect(Timespan.seconds(text) == nil)
    }
}
