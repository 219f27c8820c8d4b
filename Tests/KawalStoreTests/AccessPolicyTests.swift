#if canImport(Glibc)
import Glibc
#endif
import KawalCore
import KawalStore
import Testing
import Varlink

@Suite struct AccessPolicyTests {
    let policy = AccessPolicy(adminGroup: "kawal-admin", handlerGroup: "kawal", daemonUID: 4242)

    @Test func rootAndTheDaemonsOwnUserAreAdmins() {
        #expect(policy.caller(for: PeerCredentials(pid: 1, uid: 0, gid: 0)).role == .admin)
        #expect(policy.caller(for: PeerCredentials(pid: 1, uid: 4242, gid: 4242)).role == .admin)
    }

    @Test func strangersAndUnknownPeersGetNothing() {
        let nobody = policy.caller(for: PeerCredentials(pid: 1, uid: 65534, gid: 65534))
        #expect(nobody.role == .none)
        #expect(policy.caller(for: nil).role == .none)
    }

    @Test func groupMembershipGivesTheRole() {
        // The primary group counts: pretend 'kawal' is the primary group of an unknown uid.
        guard let daemonGroup = UserDatabase.gid(ofGroup: "daemon") else { return }
        let handlerPolicy = AccessPolicy(adminGroup: "kawal-admin", handlerGroup: "daemon", daemonUID: 4242)
        #expect(handlerPolicy.caller(for: PeerCredentials(pid: 1, uid: 54321, gid: daemonGroup)).role == .handler)
        let adminPolicy = AccessPolicy(adminGroup: "daemon", handlerGroup: "kawal", daemonUID: 4242)
        #expect(adminPolicy.caller(for: PeerCredentials(pid: 1, uid: 54321, gid: daemonGroup)).role == .admin)
    }

    @Test func refusalsNameTheGroupThatWouldAllow() {
        let nobody = policy.caller(for: PeerCredentials(pid: 1, uid: 65534, gid: 65534))
        let refusal = policy.refusal(for: nobody, required: .handler)
        #expect(refusal.name == "io.kawal.PermissionDenied")
        #expect(refusal.parameters["required_group"] == "kawal")
        #expect(refusal.parameters["role"] == "none")
        #expect(refusal.parameters["message"]?.stringValue?.contains("usermod -aG kawal USER") == true)
        let handler = Caller(credentials: PeerCredentials(pid: 1, uid: 1000, gid: 1000), role: .handler, reason: "group kawal")
        #expect(policy.refusal(for: handler, required: .admin).parameters["required_group"] == "kawal-admin")
    }

    @Test func interfacesShipValidDescriptions() {
        #expect(KawalInterfaces.daemon.name == "io.kawal.Daemon")
        #expect(KawalInterfaces.common.errors["PermissionDenied"] != nil)
        #expect(Set(KawalInterfaces.daemon.methods.keys) == ["Ping", "Version", "Status", "Metrics", "Reload", "Doctor"])
    }

    /// Who reported a confidential or anonymous case is for administrators only.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func reportersAreDisclosedByAudience(confidential: Bool, anonymous: Bool) {
        let reporter = Reporter(name: "Ibu Sumiati", relation: "tetangga", phone: "+6281234567001", confidential: confidential, anonymous: anonymous)
        #expect(reporter.disclosed(to: .administrator) == reporter)
        for audience in [ReporterAudience.handler, .dataSubject] {
            let shown = reporter.disclosed(to: audience)
            if confidential || anonymous {
                #expect(shown.name == nil && shown.relation == nil && shown.phone == nil)
                #expect(shown.confidential == confidential && shown.anonymous == anonymous)
            } else {
                #expect(shown == reporter)
            }
        }
        #expect(Actor.system(pid: 1).reporterAudience == .administrator)
    }
}
