import KawalCore
import KawalStore
import Varlink

/// io.kawal.Import: import sessions and the case export, over the store.
struct ImportAPI: Sendable {
    let records: RecordsAPI
    let sessions: ImportSessions
    /// Cases per export reply: well under the 8 MiB message limit.
    static let exportBatch = 1000

    var store: Store { records.store }

    var methods: [String: RecordsAPI.Method] {
        let v = records.views
        let sessions = self.sessions
        return [
            "Begin": records.method { p, actor in
                let layout = try ImportLayout(fields: p.strings("fields") ?? [])
                let source = try p.required("source").split(separator: "/").last.map(String.init) ?? ""
                let id = await sessions.begin(owner: actor.uid, source: source, layout: layout, dryRun: p.bool("dry_run") ?? false)
                return ["session": .string(id)]
            },
            "AddRows": records.method { p, actor in
                let id = try p.required("session")
                let layout = try await sessions.layout(of: id, owner: actor.uid)
                let rows = (p.values["rows"]?.arrayValue ?? []).map { row in
                    ImportRow(number: row["row"]?.intValue ?? 0, values: row["values"]?.arrayValue?.map { $0.stringValue ?? "" } ?? [])
                }
                // Checking a row (NIK, dates, the NIK's keyed hash) is the costly part of a batch:
                // its two halves are checked at once, on two cores.
                let half = rows.count / 2
                async let firstHalf = store.prepareImport(layout, Array(rows[..<half]))
                let secondHalf = try await store.prepareImport(layout, Array(rows[half...]))
                let (accepted, rejected) = try await (firstHalf.accepted + secondHalf.accepted, firstHalf.rejected + secondHalf.rejected)
                try await sessions.add(accepted, rejected: rejected.count, to: id, owner: actor.uid)
                return [
                    "accepted": .int(Int64(accepted.count)),
                    "rejected": .array(rejected.map { ["row": .int($0.row), "field": .string($0.field), "message": .string($0.message)] }),
                ]
            },
            "Commit": records.method { p, actor in
                let session = try await sessions.take(try p.required("session"), owner: actor.uid)
                let counts = try await store.commitImport(session.rows, source: session.source, rejected: session.rejected,
                                                          dryRun: session.dryRun, actor: actor)
                return [
                    "counts": [
                        "rows": .int(Int64(counts.rows)), "people_created": .int(Int64(counts.peopleCreated)),
                        "people_matched": .int(Int64(counts.peopleMatched)), "cases_created": .int(Int64(counts.casesCreated)),
                    ],
                    "dry_run": .bool(session.dryRun),
                ]
            },
            "Abort": records.method { p, actor in
                _ = try await sessions.take(try p.required("session"), owner: actor.uid)
                return [:]
            },
            "ExportCases": .streaming(requiresMore: true) { request, writer in
                let actor = try await records.actor(request)
                let reveal = request.parameters["reveal"]?.boolValue ?? false
                try await store.exportCases(reveal: reveal, batchSize: Self.exportBatch, actor: actor) { batch in
                    writer.yield(["cases": .array(batch.map { v.exportedCase($0, reveal: reveal) })])
                }
                return ["cases": []]
            },
        ]
    }
}
