import Foundation
import KawalCore
import KawalDomain
import KawalStore
import Varlink

/// io.kawal.Jobs: the scheduler's jobs and the plugins, for kawalctl and tools.
struct JobsAPI: Sendable {
    let records: RecordsAPI
    let store: Store
    let scheduler: Scheduler
    let plugins: PluginHost
    let timers: TimerService

    func job(_ j: JobRecord) -> JSONValue {
        let time = store.time
        return [
            "id": .int(j.id!), "kind": .string(j.kind), "payload": .string(j.payload), "due_at": .string(time.display(j.dueAt)),
            "idempotency_key": .string(j.idempotencyKey), "state": .string(j.state.rawValue), "attempts": .int(j.attempts),
            "lease_owner": j.leaseOwner.json, "lease_expires_at": j.leaseExpiresAt.map { .string(time.display($0)) } ?? .null,
            "last_error": j.lastError.json, "created_at": .string(time.display(j.createdAt)), "updated_at": .string(time.display(j.updatedAt)),
            "payload_forgotten_at": j.payloadForgottenAt.map { .string(time.display($0)) } ?? .null,
        ]
    }

    static func plugin(_ p: PluginHost.Status) -> JSONValue {
        [
            "name": .string(p.name), "origin": .string(p.origin), "state": .string(p.state), "version": p.version.json,
            "capabilities": p.capabilities.json, "pid": p.pid.map { .int(Int64($0)) } ?? .null, "restarts": .int(Int64(p.restarts)),
            "last_error": p.lastError.json, "jobs_done": .int(p.jobsDone), "jobs_failed": .int(p.jobsFailed),
        ]
    }

    var methods: [String: VarlinkMethodImplementation<Caller>] {
        [
            "Enqueue": .async { request in
                let p = Parameters(request.parameters)
                let due = try p.string("due").map { try store.time.moment($0, field: "due") } ?? Date()
                let kind = try p.required("kind")
                guard (try? JSONValue(parsing: try p.required("payload"))) != nil else {
                    throw StoreError.invalid(field: "payload", message: "the payload is JSON text, e.g. \"{}\"")
                }
                let (id, created) = try await scheduler.enqueue(kind: kind, payload: try p.required("payload"), dueAt: due,
                                                                idempotencyKey: try p.required("idempotency_key"))
                return ["id": .int(id), "created": .bool(created)]
            },
            "List": records.method { p, actor in
                let page = try await store.jobs(state: try p.choice("state", as: JobState.self), kind: p.string("kind"), limit: p.int("limit").map(Int.init),
                                                after: p.string("after"), actor: actor)
                return ["jobs": .array(page.items.map(job)), "next": page.next.json]
            },
            "Get": records.method { p, actor in ["job": job(try await store.job(id: try p.requiredInt("id"), actor: actor))] },
            "Retry": .async { request in
                let due = try await store.retryJob(id: try Parameters(request.parameters).requiredInt("id"))
                await scheduler.schedule(due.id, kind: due.kind, at: due.dueAt)
                return ["job": job(try await store.job(id: due.id))]
            },
            "Cancel": .async { request in
                let id = try Parameters(request.parameters).requiredInt("id")
                try await store.cancelJob(id: id)
                await scheduler.cancel(id)
                return ["job": job(try await store.job(id: id))]
            },
            "Plugins": .async { _ in ["plugins": .array(await plugins.list().map(Self.plugin))] },
            "Timers": .async { _ in
                let time = store.time
                let now = time.now()
                return ["timers": .array(await timers.list().map { timer in
                    [
                        "name": .string(timer.name), "on_calendar": .string(timer.onCalendar), "normalized": .string(timer.normalized),
                        "kind": .string(timer.kind), "enabled": .bool(timer.enabled),
                        "next_elapse": timer.next.map { .string(time.display($0)) } ?? .null,
                        "last_fired": timer.lastFired.map { .string(time.display($0)) } ?? .null,
                        "left_seconds": timer.next.map { .double(max(0, $0.timeIntervalSince(now))) } ?? .null,
                        "passed_seconds": timer.lastFired.map { .double(max(0, now.timeIntervalSince($0))) } ?? .null,
                    ]
                })]
            },
            "RestartPlugin": .async { request in
                ["plugin": Self.plugin(try await plugins.restart(try Parameters(request.parameters).required("name")))]
            },
            "EnablePlugin": .async { request in
                let p = Parameters(request.parameters)
                return ["plugin": Self.plugin(try await plugins.setEnabled(try p.required("name"), p.bool("enabled") ?? true))]
            },
        ]
    }
}
