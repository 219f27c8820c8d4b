import Foundation
import KawalContracts
import NotifyKit
import Testing
@testable import WebhookInboundPlugin

struct InboundGateTests {
    static let secret = Array("0123456789abcdef0123456789abcdef".utf8)
    static let now: Int64 = 1_796_086_800
    static let gate = InboundGate(secret: secret, maximumSkew: 300)
    static let body = #"{"id":"wamid.1","sender":"+6281234567001","text":"SELESAI 12 ibu aman","received_at":"2026-12-08T01:00:00Z"}"#

    static func request(_ body: String = body, at timestamp: Int64 = now, signature: String? = nil, method: String = "POST",
                        target: String = "/inbound") -> InboundGate.Request {
        let bytes = Array(body.utf8)
        return InboundGate.Request(method: method, target: target, timestamp: String(timestamp),
                                   signature: signature ?? "sha256=" + WebhookRequest.signature(body: bytes, timestamp: timestamp, secret: secret), body: bytes)
    }

    static func refusal(_ verdict: InboundGate.Verdict) -> (Int, WebhookInboundRefusal)? {
        if case .refuse(let status, let refusal) = verdict { return (status, refusal) }
        return nil
    }

    @Test func aSignedFreshMessageIsForwardedAsAWebhookMessage() throws {
        let verdict = Self.gate.check(Self.request(), now: Self.now, recent: RecentIDs(capacity: 10))
        guard case .forward(let body, let timestamp) = verdict else { Issue.record("\(verdict)"); return }
        #expect(timestamp == Self.now)
        #expect(body.message == InboundMessage(channel: "webhook", sender: "+6281234567001", text: "SELESAI 12 ibu aman", gatewayID: "wamid.1",
                                               receivedAt: ISO8601DateFormatter().date(from: "2026-12-08T01:00:00Z")))
    }

    @Test func onlyPostToTheOneRoute() {
        #expect(Self.refusal(Self.gate.check(Self.request(target: "/other"), now: Self.now, recent: RecentIDs(capacity: 10)))?.0 == 404)
        #expect(Self.refusal(Self.gate.check(Self.request(method: "GET"), now: Self.now, recent: RecentIDs(capacity: 10)))?.0 == 405)
        #expect(InboundGate.route(method: "POST", target: "/inbound?gateway=wa") == nil)
    }

    @Test func badSignaturesAndStaleTimestampsAre401NamingTheHeader() throws {
        let recent = RecentIDs(capacity: 10)
        let forged = try #require(Self.refusal(Self.gate.check(Self.request(signature: "sha256=" + String(repeating: "0", count: 64)), now: Self.now, recent: recent)))
        #expect(forged.0 == 401 && forged.1.field == "X-Kawal-Signature" && forged.1.error.contains("does not match"))
        var unsigned = Self.request()
        unsigned.signature = nil
        #expect(Self.refusal(Self.gate.check(unsigned, now: Self.now, recent: recent))?.1.error.hasPrefix("X-Kawal-Signature is missing") == true)
        var noTime = Self.request()
        noTime.timestamp = "yesterday"
        #expect(Self.refusal(Self.gate.check(noTime, now: Self.now, recent: recent))?.1.field == "X-Kawal-Timestamp")
        let stale = try #require(Self.refusal(Self.gate.check(Self.request(at: Self.now - 301), now: Self.now, recent: recent)))
        #expect(stale.0 == 401 && stale.1.error.hasPrefix("X-Kawal-Timestamp is 301 s old; at most 300 s"), "\(stale.1.error)")
        let ahead = try #require(Self.refusal(Self.gate.check(Self.request(at: Self.now + 400), now: Self.now, recent: recent)))
        #expect(ahead.1.error.hasPrefix("X-Kawal-Timestamp is 400 s ahead of this server's clock"))
        if case .forward = Self.gate.check(Self.request(at: Self.now - 300), now: Self.now, recent: recent) {} else { Issue.record("300 s is within the window") }
    }

    @Test func aBadBodyIs400NamingTheFieldNeverItsValue() throws {
        let missing = try #require(Self.refusal(Self.gate.check(Self.request(#"{"id":"m-2","sender":"+6281234567001"}"#), now: Self.now, recent: RecentIDs(capacity: 10))))
        #expect(missing.0 == 400 && missing.1.field == "text" && missing.1.error.hasPrefix("'text' is missing; expected {"), "\(missing.1)")
        let notJSON = try #require(Self.refusal(Self.gate.check(Self.request("SELESAI 12 +6281234567001"), now: Self.now, recent: RecentIDs(capacity: 10))))
        #expect(notJSON.0 == 400 && notJSON.1.field == nil && !notJSON.1.error.contains("6281234567001"))
        let badDate = try #require(Self.refusal(Self.gate.check(Self.request(#"{"id":"m-3","sender":"x","text":"y","received_at":"kemarin"}"#), now: Self.now, recent: RecentIDs(capacity: 10))))
        #expect(badDate.1.field == "received_at" && !badDate.1.error.contains("kemarin"), "\(badDate.1)")
        let fractional = Self.gate.check(Self.request(#"{"id":"m-4","sender":"x","text":"y","received_at":"2026-12-08T09:00:00.250+08:00"}"#), now: Self.now, recent: RecentIDs(capacity: 10))
        guard case .forward(let body, _) = fractional else { Issue.record("\(fractional)"); return }
        #expect(body.receivedAt == Date(timeIntervalSince1970: 1_796_691_600.25))
        let noID = try #require(Self.refusal(Self.gate.check(Self.request(#"{"id":"","sender":"x","text":"y"}"#), now: Self.now, recent: RecentIDs(capacity: 10))))
        #expect(noID.1.field == "id")
    }

    @Test func aReplayedIDIsAnsweredFromMemoryWhileItsWindowLasts() {
        var recent = RecentIDs(capacity: 10)
        recent.remember("wamid.1", answer: WebhookInboundAnswer(id: 7, duplicate: false, outcome: "done"), until: Self.now + 300, now: Self.now)
        #expect(Self.gate.check(Self.request(), now: Self.now + 10, recent: recent) == .replay(WebhookInboundAnswer(id: 7, duplicate: true, outcome: "done")))
        #expect(recent.answer(for: "wamid.1", now: Self.now + 301) == nil, "past the window the timestamp refuses a replay; kawald's dedupe covers the rest")
    }

    @Test func recentIDsAreBounded() {
        var recent = RecentIDs(capacity: 3)
        for index in 1...5 {
            recent.remember("m-\(index)", answer: WebhookInboundAnswer(id: Int64(index), duplicate: false, outcome: "done"), until: Self.now + 300, now: Self.now)
        }
        #expect(recent.count == 3)
        #expect(recent.answer(for: "m-2", now: Self.now) == nil && recent.answer(for: "m-5", now: Self.now)?.id == 5)
        // Expired ids make room before anything fresh is dropped.
        recent.remember("m-6", answer: WebhookInboundAnswer(id: 6, duplicate: false, outcome: "done"), until: Self.now + 900, now: Self.now + 301)
        #expect(recent.count == 1)
        for index in 7...3000 {
            recent.remember("m-\(index)", answer: WebhookInboundAnswer(id: Int64(index), duplicate: false, outcome: "done"), until: Self.now + 900, now: Self.now + 301)
        }
        #expect(recent.count == 3 && recent.answer(for: "m-3000", now: Self.now + 302)?.id == 3000)
    }

    @Test func onlyLoopbackOrAUnixSocket() throws {
        #expect(try ListenAddress("127.0.0.1:8470") == .loopback(host: "127.0.0.1", port: 8470))
        #expect(try ListenAddress("[::1]:8470") == .loopback(host: "::1", port: 8470))
        #expect(try ListenAddress("unix:/run/kawal-webhook-in/in.sock") == .unix(path: "/run/kawal-webhook-in/in.sock"))
        let remote = #expect(throws: ListenAddress.Invalid.self) { try ListenAddress("0.0.0.0:8470") }
        #expect(remote?.description.contains("'0.0.0.0' is not a loopback address") == true)
        #expect(throws: ListenAddress.Invalid.self) { try ListenAddress("127.0.0.1:0") }
        #expect(throws: ListenAddress.Invalid.self) { try ListenAddress("unix:relative.sock") }
        #expect(throws: ListenAddress.Invalid.self) { try ListenAddress("8470") }
    }
}
