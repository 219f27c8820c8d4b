import Foundation

/// The monthly report as an e-mail text, from the templates in `Templates/` (Indonesian by default,
/// English available). The templates use only `{{name}}` and `{{{name}}}` (no sections), so they
/// are filled here by substitution; they stay valid Mustache for the reminder engine's renderer.
public enum MonthlyReportMessage {
    public static func subject(_ report: CaseReport, language: String) -> String {
        language == "en" ? "Kawal monthly case report \(report.period)" : "Laporan kasus bulanan Kawal \(report.period)"
    }

    public static func text(_ report: CaseReport, format: CaseReport.Format, language: String) -> String {
        let template = String(decoding: language == "en" ? PackageResources.report_email_en_mustache : PackageResources.report_email_id_mustache,
                              as: UTF8.self)
        let values = [
            "period": report.period, "first_day": report.firstDay, "last_day": report.lastDay, "min_cell": String(report.minimumCell),
            "report": report.rendered(format),
        ]
        var text = template
        for (name, value) in values {
            text = text.replacingOccurrences(of: "{{{\(name)}}}", with: value).replacingOccurrences(of: "{{\(name)}}", with: value)
        }
        return text
    }
}
