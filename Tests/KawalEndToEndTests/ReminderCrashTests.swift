import Foundation
import KawalTesting
import Testing
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// 1,000 reminders fall due while kawald and the delivering plugin are killed at random: after the
/// last restart every reminder is delivered, and a message reaches the sink twice only under the
/// same idempotency key (which the sink drops). Part of the serialized reminder suite, so that it
/// does not load the machine alongside the other reminder tests.
extension SchedulerTests.ReminderTests {
    @Test func everyReminderIsDeliveredOnceThroughKills() throws {
        let directory = try KawalInstance.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let count = 1000
        let config = try Self.config(directory, plans: """
            [plans.quick]
            types = ["violence"]
            on = "open"
            kind = "visit"
            first = "15s"
            """)
        var kawald = try KawalInstance.start(.init(config: config), directory: directory)
        var c = try kawald.connect()
        _ = try c.call("io.kawal.Handlers.Add", ["handler": ["code": "ani", "name": "Ani Lestari", "email": "ani@example.org"]])
        _ = try c.call("io.kawal.Reminders.SetSettings", ["handler": "ani", "channels": ["email"], "consent_method": "written"])
        let person = try c.call("io.kawal.People.Add", ["person": ["name": "Siti Aminah", "village": "Sembalun", "nik": .string(Self.nik)]])["person"]!["id"]!
        let opening = Date()
        for _ in 0..<count {
            _ = try c.call("io.kawal.Cases.Open", ["case": ["person_id": person, "type": "violence", "handler": "ani"]])
        }
        let opened = Date().timeIntervalSince(opening)
        var generator = SystemRandomNumberGenerator()
        var kills = (kawald: 0, plugin: 0)
        var deliveredAtKills: [Int] = []
        // Kills begin once deliveries have: the reminders fall due over as long as opening them took.
        #expect(waitUntil(60) { !Self.deliveries(directory).isEmpty })
        let deadline = Date().addingTimeInterval(180)
        // While deliveries run: kill kawald (SIGKILL) or the plugin at random moments, restart kawald.
        while Date() < deadline && Set(Self.deliveries(directory).map(\.key)).count < count {
            usleep(UInt32.random(in: 200_000...1_000_000, using: &generator))
            deliveredAtKills.append(Set(Self.deliveries(directory).map(\.key)).count)
            if Bool.random(using: &generator), kills.kawald < 4 {
                kawald.signal(SIGKILL)
                kawald.process.waitUntilExit()
                kills.kawald += 1
                kawald = try KawalInstance.start(.init(config: config), directory: directory)
                c = try kawald.connect()
            } else if kills.plugin < 4, let pid = try? c.call("io.kawal.Jobs.Plugins")["plugins"]?.arrayValue?.first?["pid"]?.intValue {
                kill(pid_t(pid), SIGKILL)
                kills.plugin += 1
            }
        }
        #expect(waitUntil(120) { Set(Self.deliveries(directory).map(\.key)).count >= count })
        let delivered = Self.deliveries(directory)
        let messageIDs = delivered.compactMap { $0.payload["message_id"]?.stringValue }
        #expect(Set(messageIDs).count == count, "every reminder delivered: \(Set(messageIDs).count) of \(count)")
        // A message under two keys would be a duplicate the sink could not drop.
        let keysPerMessage = Dictionary(grouping: delivered, by: { $0.payload["message_id"]?.stringValue ?? "" }).mapValues { Set($0.map(\.key)).count }
        #expect(keysPerMessage.values.allSatisfy { $0 == 1 }, "a message went out under two idempotency keys")
        #expect(waitUntil(30) {
            (try? c.call("io.kawal.Reminders.List", ["state": "sent", "limit": 500])["reminders"]?.arrayValue?.count) == 500
        })
        print("reminder crash test: \(count) cases opened in \(Int(opened)) s; kawald killed \(kills.kawald) times, plugin \(kills.plugin) times, "
              + "with \(deliveredAtKills) delivered at the kills; \(messageIDs.count) messages for \(count) reminders")
        Self.expectPrivate(directory, kawald)
    }
}
