import KawalCore
import Varlink

/// io.kawal.Events: the scheduler's job and plugin events, streamed to a subscriber (`more`).
enum EventsAPI {
    static func subscribe(_ scheduler: Scheduler) -> VarlinkMethodImplementation<Caller> {
        .streaming(requiresMore: true) { _, writer in
            var last: UInt64?
            for await event in await scheduler.subscribe() {
                // A subscriber that does not read holds this loop here; meanwhile the stream keeps
                // only the newest events, and the gap is reported below.
                await writer.waitUntilWritable()
                // The stream keeps the newest events when the subscriber falls behind: say what was lost.
                if let last, event.sequence > last + 1 {
                    writer.yield(["event": "events.lost", "job_id": .null, "plugin": .null, "state": .null,
                                  "detail": .string("\(event.sequence - last - 1)")])
                }
                last = event.sequence
                writer.yield([
                    "event": .string(event.event), "job_id": event.jobID.json, "plugin": event.plugin.json,
                    "state": event.state.json, "detail": (event.detail ?? event.bytes.map { "\($0.done)/\($0.total)" }).json,
                ])
            }
            return ["event": "end", "job_id": .null, "plugin": .null, "state": .null, "detail": "kawald is stopping"]
        }
    }
}
