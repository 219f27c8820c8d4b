import KawalCalendar
import KawalStore
import TOMLKit

/// `[reports]`: how figures are published and who gets the monthly report.
///
/// ```toml
/// [reports]
/// min_cell = 5                  # cells below this are shown as <5
/// recipients = ["ani", "budi"]  # handler codes; each gets the monthly report by e-mail
/// by = ["desa", "type"]         # the monthly report's grouping
/// format = "md"                 # md or csv, in the e-mail's text
/// language = "id"
/// ```
public struct ReportSettings: Sendable, Equatable {
    public var minimumCell = 5
    public var recipients: [String] = []
    public var by = ["desa", "type"]
    public var format = "md"
    public var language = "id"
}

extension Configuration {
    /// `[reports]` and `[retention]`.
    ///
    /// ```toml
    /// [retention]
    /// default = "5y"        # after a case is closed (or withdrawn)
    /// violence = "10y"      # per case type: document, bpjs, social_assistance, violence, child_marriage, other
    /// ```
    static func parsePrivacy(_ table: TOMLTable, _ reader: TableReader, into config: inout Configuration) throws(ConfigurationError) {
        if let reports = try reader.table(table, "reports", known: ["min_cell", "recipients", "by", "format", "language"]) {
            if let value = try reader.int(reports, "reports", "min_cell") {
                guard (2...100).contains(value) else { throw reader.error("reports", "min_cell", "\(value) is out of range: expected 2 to 100 (5 is usual)") }
                config.reports.minimumCell = value
            }
            if let value = try reader.strings(reports, "reports", "recipients") { config.reports.recipients = value }
            if let value = try reader.strings(reports, "reports", "by") {
                for dimension in value where !Store.reportDimensions.contains(dimension) {
                    throw reader.error("reports", "by", "'\(dimension)' is not a report dimension: expected \(Store.reportDimensions.joined(separator: ", "))")
                }
                guard !value.isEmpty else { throw reader.error("reports", "by", "expected at least one dimension, e.g. [\"desa\", \"type\"]") }
                config.reports.by = value
            }
            if let value = try reader.string(reports, "reports", "format") {
                guard ["md", "csv"].contains(value) else { throw reader.error("reports", "format", "'\(value)' is not a monthly report format: expected md or csv") }
                config.reports.format = value
            }
            if let value = try reader.string(reports, "reports", "language") {
                guard ["id", "en"].contains(value) else { throw reader.error("reports", "language", "'\(value)' is not a language: expected id or en") }
                config.reports.language = value
            }
        }
        let types = ["default", "document", "bpjs", "social_assistance", "violence", "child_marriage", "other"]
        if let retention = try reader.table(table, "retention", known: types) {
            for key in types {
                guard let text = try reader.string(retention, "retention", key) else { continue }
                guard let seconds = retentionPeriod(text) else {
                    throw reader.error("retention", key, "'\(text)' is not a retention period: expected a number followed by d, w or y (e.g. \"5y\", \"3650d\"), at least 1d")
                }
                if key == "default" { config.retention.fallback = seconds } else { config.retention.periods[key] = seconds }
            }
        }
    }

    /// `5y` (5 × 365 days), `26w`, `90d`: a `Timespan` in years of 365 days, at least a day.
    static func retentionPeriod(_ text: String) -> Double? {
        guard let seconds = Timespan.seconds(text, year: .days365), seconds >= 86_400 else { return nil }
        return seconds
    }
}
