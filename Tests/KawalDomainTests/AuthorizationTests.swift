import KawalCore
import KawalDomain
import Testing
import Varlink

/// The access policy as a matrix: role × method, role × operation, role × record.
@Suite struct AuthorizationTests {
    /// Every method of every io.kawal interface kawald serves, fully qualified.
    static let methods: [String] = KawalInterfaces.all.flatMap { interface in interface.methods.keys.map { "\(interface.name).\($0)" } }.sorted()

    /// What a handler may call: their own cases' records and the de-identified figures. Anything
    /// else (and anything new) needs an administrator. This list is the specification; the policy
    /// must agree with it method by method.
    static let handlerMethods: Set<String> = [
        "io.kawal.Daemon.Ping", "io.kawal.Daemon.Version", "io.kawal.Daemon.Status",
        "io.kawal.People.Get", "io.kawal.People.List",
        "io.kawal.Cases.Get", "io.kawal.Cases.List", "io.kawal.Cases.Update", "io.kawal.Cases.RecordFollowUp",
        "io.kawal.Cases.ListFollowUps", "io.kawal.Cases.ListReferrals", "io.kawal.Cases.UpdateReferral", "io.kawal.Cases.Search",
        "io.kawal.Handlers.List", "io.kawal.Handlers.ListServices",
        "io.kawal.Reports.Cases", "io.kawal.Messages.ListInbound",
    ]

    @Test(arguments: Role.allCases)
    func eachRoleMayCallExactlyItsMethods(role: Role) {
        #expect(Self.methods.count > 60)
        for method in Self.methods {
            let allowed = role >= Authorization.requiredRole(forMethod: method)
            let expected: Bool
            switch role {
            case .admin: expected = true
            case .handler: expected = Self.handlerMethods.contains(method)
            case .none: expected = false
            }
            #expect(allowed == expected, "\(role) calling \(method)")
        }
    }

    @Test func everyListedMethodExists() {
        let known = Set(Self.methods + ["org.varlink.service.GetInfo", "org.varlink.service.GetInterfaceDescription"])
        for method in Authorization.methodRoles.keys { #expect(known.contains(method), "\(method) is listed but not served") }
    }

    @Test(arguments: Operation.allCases)
    func operationsNeedTheirRole(operation: Operation) {
        let handlerMay: Set<Operation> = [.changeCaseNotes, .recordFollowUp, .moveFollowUp, .updateReferral]
        #expect(Authorization.check(operation, role: .admin) == nil)
        #expect((Authorization.check(operation, role: .handler) == nil) == handlerMay.contains(operation))
        #expect(Authorization.check(operation, role: .none) != nil)
    }

    @Test func aRefusalSaysWhoMay() {
        #expect(Authorization.check(.addPerson, role: .handler)?.description == "only administrators add people")
        #expect(Authorization.check(.changeCaseFields, role: .handler)?.description
                == "case handlers may change only the notes of their cases; other fields need an administrator")
    }

    @Test func eachRoleSeesItsRecords() {
        // role × the handler a case belongs to (7, 8, or nobody yet)
        let cases: [Int64?] = [7, 8, nil]
        let admin = Authorization.scope(role: .admin, handlerID: nil)
        #expect(cases.map(admin.includes(caseHandledBy:)) == [true, true, true])
        let handler = Authorization.scope(role: .handler, handlerID: 7)
        #expect(cases.map(handler.includes(caseHandledBy:)) == [true, false, false])
        #expect(handler.handlerIDs == [7])
        // A handler account with no handler record sees nothing, as does a stranger.
        for scope in [Authorization.scope(role: .handler, handlerID: nil), Authorization.scope(role: .none, handlerID: 7)] {
            #expect(cases.map(scope.includes(caseHandledBy:)) == [false, false, false])
            #expect(scope.handlerIDs == [])
        }
        #expect(admin.handlerIDs == nil)
        // A supervisor sees the cases of the handlers they supervise, and no others.
        let supervisor = Authorization.scope(role: .handler, handlerID: 9, supervises: [7])
        #expect(cases.map(supervisor.includes(caseHandledBy:)) == [true, false, false])
        #expect(supervisor.includes(caseHandledBy: 9))
        #expect(supervisor.handlerIDs == [7, 9])
    }
}
