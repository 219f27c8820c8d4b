/// The case lifecycle: which status a case may move to from which.
///
/// ```
/// new → assessment → in_progress ⇄ referred → resolved → closed
///                                            ↘ withdrawn     ↘ reopened → …
/// ```
public enum CaseLifecycle {
    /// Where a case may go from `status`.
    public static func allowed(from status: CaseStatus) -> [CaseStatus] {
        switch status {
        case .new: return [.assessment, .withdrawn]
        case .assessment: return [.inProgress, .referred, .resolved, .withdrawn]
        case .inProgress: return [.referred, .resolved, .withdrawn]
        case .referred: return [.inProgress, .resolved, .withdrawn]
        case .resolved: return [.closed, .reopened]
        case .closed: return [.reopened]
        case .withdrawn: return [.reopened]
        case .reopened: return [.assessment, .inProgress, .referred, .resolved, .withdrawn]
        }
    }

    public static func canMove(from: CaseStatus, to: CaseStatus) -> Bool { allowed(from: from).contains(to) }
}
