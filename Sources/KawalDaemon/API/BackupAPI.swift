import Foundation
import KawalBackup
import KawalCore
import KawalStore
import Varlink

/// io.kawal.Backup on the control socket (administrators only). Snapshot and Finished are served on
/// the backup plugin's own connection to plugins.sock instead (`BackupService.serveSnapshot`).
struct BackupAPI: Sendable {
    let backup: BackupService
    let plugins: PluginHost
    let records: RecordsAPI

    var methods: [String: VarlinkMethodImplementation<Caller>] {
        let backup = self.backup
        let plugins = self.plugins
        let records = self.records
        let pluginOnly: VarlinkMethodImplementation<Caller> = .immediate { request in
            throw BackupService.error("Failed", "\(request.call.method) is served to the backup plugin on its own connection to plugins.sock, not on the control socket")
        }
        return [
            "Now": .streaming(requiresMore: false) { _, writer in
                ["backup": BackupService.json(try await backup.now(plugins: plugins) { done, total in
                    writer.yield(["progress": Self.progress("backup", done, total)])
                })]
            },
            "List": .async { _ in
                let catalog = await backup.catalog()
                return ["backups": .array(catalog.entries.map(BackupService.json)), "dir": .string(catalog.directory)]
            },
            "Verify": .streaming(requiresMore: false) { request, writer in
                let (entry, problem) = try await backup.verify(try Parameters(request.parameters).required("id")) { done, total in
                    writer.yield(["progress": Self.progress("verify", done, total)])
                }
                // `kawalctl doctor` reports when a backup was last read back.
                try await records.store.recordBackupVerification(id: entry.id, problem: problem, actor: try await records.actor(request))
                return ["backup": BackupService.json(entry), "ok": .bool(problem == nil), "problem": problem.json]
            },
            "Prune": .async { request in
                let (decisions, removed) = try await backup.prune(dryRun: Parameters(request.parameters).bool("dry_run") ?? true)
                return [
                    "decisions": .array(decisions.map { ["id": .string($0.id), "keep": .bool($0.keep), "reasons": $0.reasons.json] }),
                    "removed": removed.json,
                ]
            },
            "Status": .async { _ in ["health": Self.health(await backup.health(), directory: backup.directory)] },
            "PrepareRestore": .async { request in
                let (staging, entry) = try await backup.prepareRestore(Parameters(request.parameters).string("id"))
                return ["staging_path": .string(staging), "backup": entry.map(BackupService.json) ?? .null]
            },
            "Restore": .async { request in
                let p = Parameters(request.parameters)
                let actor = try await records.actor(request)
                let result = try await backup.restore(stagingPath: try p.required("staging_path"), id: p.string("id"), actor: actor)
                return [
                    "previous_path": .string(result.previous), "schema_version_before": .int(Int64(result.beforeSchema)),
                    "schema_version_after": .int(Int64(result.after.schemaVersion)),
                    "counts_before": .object(result.before.mapValues { .int($0) }), "counts_after": .object(result.after.counts.mapValues { .int($0) }),
                ]
            },
            "Snapshot": pluginOnly,
            "Checked": pluginOnly,
            "Finished": pluginOnly,
            "Offsite": pluginOnly,
            "Progress": pluginOnly,
        ]
    }

    static func progress(_ phase: String, _ done: Int64, _ total: Int64) -> JSONValue {
        ["phase": .string(phase), "done_bytes": .int(done), "total_bytes": .int(total)]
    }

    static func health(_ health: BackupService.Health, directory: String) -> JSONValue {
        [
            "configured": .bool(health.configured), "dir": .string(directory), "last_success": health.lastSuccess.map { .string(BackupNaming.timestamp($0)) } ?? .null,
            "age_seconds": health.age.map { .double($0) } ?? .null, "max_age_seconds": .double(health.maximumAge), "stale": .bool(health.stale),
            "good_backups": .int(Int64(health.good)), "offsite_configured": .bool(health.offsiteConfigured),
            "offsite_last_success": health.offsiteLastSuccess.map { .string(BackupNaming.timestamp($0)) } ?? .null,
            "offsite_error": health.offsiteError.map { .string($0) } ?? .null,
        ]
    }
}
