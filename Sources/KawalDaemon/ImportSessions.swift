import Foundation
import KawalStore
import Varlink

/// Imports in progress: the rows AddRows accepted wait here for Commit. A session belongs to the
/// user who began it; one left without a call for `idleLimit` is dropped when the next one begins
/// (no timer: idle means idle).
actor ImportSessions {
    struct Session {
        let ownerUID: Int64
        let source: String
        let layout: ImportLayout
        let dryRun: Bool
        var rows: [PreparedImportRow] = []
        var rejected = 0
        var lastUsed: ContinuousClock.Instant
    }

    /// Enough for any office's spreadsheet; a bigger file is imported in parts.
    static let maximumRows = 1_000_000
    let idleLimit: Duration

    private var sessions: [String: Session] = [:]

    init(idleLimit: Duration = .seconds(15 * 60)) {
        self.idleLimit = idleLimit
    }

    func begin(owner: Int64, source: String, layout: ImportLayout, dryRun: Bool) -> String {
        let now = ContinuousClock.now
        sessions = sessions.filter { now - $0.value.lastUsed < idleLimit }
        let id = UUID().uuidString.lowercased()
        sessions[id] = Session(ownerUID: owner, source: source, layout: layout, dryRun: dryRun, lastUsed: now)
        return id
    }

    func layout(of id: String, owner: Int64) throws(VarlinkError) -> ImportLayout {
        try touch(id, owner: owner).layout
    }

    /// Keeps the accepted rows of a batch; refuses a batch that would take the session past `maximumRows`.
    func add(_ rows: [PreparedImportRow], rejected: Int, to id: String, owner: Int64) throws(VarlinkError) {
        let held = try touch(id, owner: owner).rows.count
        guard held + rows.count <= Self.maximumRows else {
            throw VarlinkError("io.kawal.InvalidInput", [
                "field": "rows",
                "message": .string("rows: an import holds at most \(Self.maximumRows) rows; split the file and import the parts one by one"),
            ])
        }
        // In place: a copy of the session would copy every row it holds, batch after batch.
        sessions[id]!.rows += rows
        sessions[id]!.rejected += rejected
    }

    /// Ends the session and hands over what it holds.
    func take(_ id: String, owner: Int64) throws(VarlinkError) -> Session {
        let session = try touch(id, owner: owner)
        sessions[id] = nil
        return session
    }

    /// The session, its clock restarted. The copy returned shares the rows' storage; change the
    /// session through `sessions[id]`, not through the copy.
    private func touch(_ id: String, owner: Int64) throws(VarlinkError) -> Session {
        let now = ContinuousClock.now
        if let session = sessions[id], now - session.lastUsed >= idleLimit { sessions[id] = nil }
        guard var session = sessions[id], session.ownerUID == owner else {
            throw VarlinkError("io.kawal.Import.SessionNotFound", [
                "session": .string(id),
                "message": .string("no import session \(id): it was committed, aborted, dropped after \(idleLimit.components.seconds / 60) idle minutes, or began by another user; begin a new one"),
            ])
        }
        session.lastUsed = now
        sessions[id] = session
        return session
    }
}
