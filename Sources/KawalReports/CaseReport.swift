/// A de-identified case report: figures only (no name, NIK, phone or free text can reach it,
/// since it is built from counts), every table already through `Publication`.
public struct CaseReport: Sendable, Equatable {
    /// `2025-01..2025-03`.
    public var period: String
    /// The first and last day covered, `YYYY-MM-DD`.
    public var firstDay: String
    public var lastDay: String
    public var generatedAt: String
    public var minimumCell: Int
    public var dimensions: [String]
    public var tables: [PublishedTable]

    public init(period: String, firstDay: String, lastDay: String, generatedAt: String, minimumCell: Int, dimensions: [String], tables: [PublishedTable]) {
        self.period = period
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.generatedAt = generatedAt
        self.minimumCell = minimumCell
        self.dimensions = dimensions
        self.tables = tables
    }

    /// The formats `kawalctl report cases --format` offers.
    public enum Format: String, Sendable, CaseIterable {
        case table, csv, json, md, html
    }

    /// Column and dimension names as people read them.
    public static func label(_ name: String) -> String {
        labels[name] ?? name
    }

    static let labels: [String: String] = [
        "desa": "Desa", "type": "Type", "sex": "Sex", "age_band": "Age band", "disability": "Disability", "status": "Status",
        "opened": "Opened", "resolved": "Resolved", "open_at_end": "Open at end", "followups_on_time": "Follow-ups on time",
        "followups_late": "Follow-ups late", "median_days_to_resolution": "Median days to resolution", "service": "Service",
        "outcome": "Outcome", "referrals": "Referrals", "form": "Form of violence", "place": "Place", "relationship": "Perpetrator relationship",
        "cases": "Cases",
    ]

    /// The legend every rendering carries.
    public var legend: String {
        "<\(minimumCell): fewer than \(minimumCell) cases, withheld. x: withheld so that a small figure cannot be worked out from a total."
    }
}
