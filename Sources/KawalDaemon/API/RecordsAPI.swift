import KawalCore
import KawalDomain
import KawalStore
import Logging
import Varlink
#if canImport(Glibc)
import Glibc
#endif

/// io.kawal.People, io.kawal.Cases, io.kawal.Handlers and io.kawal.Audit over the store.
struct RecordsAPI: Sendable {
    let store: Store
    let views: Views

    init(store: Store) {
        self.store = store
        self.views = Views(time: store.time)
    }

    /// The store's view of the caller: admins as themselves; handlers mapped to their handler
    /// record by login name (a handler account without a record sees nothing).
    func actor(_ request: VarlinkRequest<Caller>) async throws -> Actor {
        let caller = request.context
        let uid = caller.credentials?.uid ?? 0
        let user = UserDatabase.userName(of: uid)
        let label = "\(caller.role.rawValue) \(user ?? "uid \(uid)")"
        var handlerID: Int64?
        var supervises: [Int64] = []
        if caller.role == .handler, let user {
            handlerID = try await store.handlerID(forUnixUser: user)
            if let handlerID { supervises = try await store.supervisedHandlers(of: handlerID) }
        }
        var actor = Actor(uid: Int64(uid), pid: Int64(caller.credentials?.pid ?? 0), role: caller.role, handlerID: handlerID, label: label)
        actor.supervises = supervises
        return actor
    }

    typealias Method = VarlinkMethodImplementation<Caller>

    func method(_ body: @escaping @Sendable (Parameters, Actor) async throws -> [String: JSONValue]) -> Method {
        .async { request in
            let actor = try await self.actor(request)
            return try await body(Parameters(request.parameters), actor)
        }
    }

    func personInput(_ p: Parameters?) -> PersonInput {
        guard let p else { return PersonInput() }
        return PersonInput(nik: p.string("nik"), kkNumber: p.string("kk_number"), name: p.string("name"), sex: p.string("sex"),
                           birthDate: p.string("birth_date"), village: p.string("village"), hamlet: p.string("hamlet"),
                           phone: p.string("phone"), vulnerabilities: p.strings("vulnerabilities"), disabilityType: p.string("disability_type"),
                           guardian: p.string("guardian"), documents: p.strings("documents"), notes: p.string("notes"))
    }

    func caseInput(_ p: Parameters?) -> CaseInput {
        guard let p else { return CaseInput() }
        let reporter = p.nested("reporter").map {
            Reporter(name: $0.string("name"), relation: $0.string("relation"), phone: $0.string("phone"),
                     confidential: $0.bool("confidential") ?? false, anonymous: $0.bool("anonymous") ?? false)
        }
        return CaseInput(personID: p.int("person_id"), type: p.string("type"), subtype: p.string("subtype"), risk: p.string("risk"),
                         urgentSafety: p.bool("urgent_safety"), village: p.string("village"), summary: p.string("summary"),
                         notes: p.string("notes"), due: p.string("due"), reporter: reporter, handler: p.string("handler"),
                         legalHold: p.bool("legal_hold"), violenceForm: p.string("violence_form"),
                         violencePlace: p.string("violence_place"), perpetratorRelation: p.string("perpetrator_relation"))
    }

    func handlerInput(_ p: Parameters?) -> HandlerInput {
        guard let p else { return HandlerInput() }
        return HandlerInput(code: p.string("code"), name: p.string("name"), unixUser: p.string("unix_user"), phone: p.string("phone"),
                            email: p.string("email"), language: p.string("language"), villages: p.strings("villages"),
                            supervisor: p.string("supervisor"))
    }

    var people: [String: Method] {
        let v = views
        return [
            "Add": method { p, actor in
                let (person, warnings) = try await store.addPerson(personInput(p.nested("person")), force: p.bool("force") ?? false, actor: actor)
                return ["person": v.person(person, reveal: false), "warnings": warnings.json]
            },
            "Get": method { p, actor in
                let reveal = p.bool("reveal") ?? false
                let (person, consents) = try await store.person(id: try p.requiredInt("id"), reveal: reveal, actor: actor)
                return ["person": v.person(person, reveal: reveal), "consents": .array(consents.map(v.consent))]
            },
            "List": method { p, actor in
                let page = try await store.people(village: p.string("village"), name: p.string("name"), limit: p.int("limit").map(Int.init),
                                                  after: p.string("after"), actor: actor)
                return ["people": .array(page.items.map(v.personSummary)), "next": page.next.json]
            },
            "Update": method { p, actor in
                let (person, warnings) = try await store.updatePerson(id: try p.requiredInt("id"), version: try p.requiredInt("version"),
                                                                      changes: personInput(p.nested("changes")), actor: actor)
                return ["person": v.person(person, reveal: false), "warnings": warnings.json]
            },
            "RecordConsent": method { p, actor in
                let consent = try await store.recordConsent(personID: try p.requiredInt("person_id"), purpose: try p.required("purpose"),
                                                            granted: p.bool("granted") ?? false, method: try p.required("method"),
                                                            note: p.string("note"), actor: actor)
                return ["consent": v.consent(consent)]
            },
        ]
    }

    var cases: [String: Method] {
        let v = views
        return [
            "Open": method { p, actor in
                ["case": v.caseView(try await store.openCase(caseInput(p.nested("case")), actor: actor), audience: actor.reporterAudience)]
            },
            "Get": method { p, actor in
                let detail = try await store.caseDetail(id: p.int("id"), code: p.string("code"), actor: actor)
                return [
                    "case": v.caseView(detail.view, audience: actor.reporterAudience), "history": .array(detail.history.map(v.history)),
                    "followups": .array(detail.followUps.map(v.followUp)), "referrals": .array(detail.referrals.map(v.referral)),
                ]
            },
            "List": method { p, actor in
                let filter = CaseFilter(status: p.string("status"), openOnly: p.bool("open") ?? false, village: p.string("village"),
                                        type: p.string("type"), handler: p.string("handler"), risk: p.string("risk"))
                let page = try await store.cases(filter, limit: p.int("limit").map(Int.init), after: p.string("after"), actor: actor)
                return ["cases": .array(page.items.map(v.caseSummary)), "next": page.next.json]
            },
            "Update": method { p, actor in
                ["case": v.caseView(try await store.updateCase(id: try p.requiredInt("id"), version: try p.requiredInt("version"),
                                                               changes: caseInput(p.nested("changes")), actor: actor), audience: actor.reporterAudience)]
            },
            "Assign": method { p, actor in
                ["case": v.caseView(try await store.assignCase(id: try p.requiredInt("id"), version: try p.requiredInt("version"),
                                                               handler: p.string("handler"), actor: actor), audience: actor.reporterAudience)]
            },
            "Transition": method { p, actor in
                ["case": v.caseView(try await store.transitionCase(id: try p.requiredInt("id"), version: try p.requiredInt("version"),
                                                                   to: try p.required("to"), note: p.string("note"), actor: actor), audience: actor.reporterAudience)]
            },
            "AddFollowUp": method { p, actor in
                let hours = p.int("window_hours")
                return ["followup": v.followUp(try await store.addFollowUp(caseID: try p.requiredInt("case_id"), kind: try p.required("kind"),
                                                                           due: try p.required("due"), windowHours: hours,
                                                                           notes: p.string("notes"), actor: actor))]
            },
            "RecordFollowUp": method { p, actor in
                let (followUp, retry) = try await store.recordFollowUp(
                    id: try p.requiredInt("id"), version: try p.requiredInt("version"), status: try p.required("status"),
                    outcome: p.string("outcome"), contactMade: p.bool("contact_made"), notes: p.string("notes"),
                    retryDue: p.string("retry_due"), actor: actor)
                return ["followup": v.followUp(followUp), "retry": retry.map(v.followUp) ?? .null]
            },
            "ListFollowUps": method { p, actor in
                var window: Double?
                if let text = p.string("due_within") {
                    guard let seconds = TimeContext.duration(text) else {
                        throw StoreError.invalid(field: "due_within", message: "'\(text)' is not a duration: expected N followed by m, h, d or w (e.g. 7d)")
                    }
                    window = seconds
                }
                let page = try await store.followUps(overdue: p.bool("overdue") ?? false, dueWithin: window, caseID: p.int("case_id"),
                                                     handler: p.string("handler"), limit: p.int("limit").map(Int.init), after: p.string("after"),
                                                     actor: actor)
                return ["followups": .array(page.items.map(v.followUp)), "next": page.next.json]
            },
            "AddReferral": method { p, actor in
                ["referral": v.referral(try await store.addReferral(
                    caseID: try p.requiredInt("case_id"), service: try p.required("service"), consent: try p.required("consent"),
                    overrideReason: p.string("override_reason"), externalRef: p.string("external_ref"), deadline: p.string("deadline"),
                    notes: p.string("notes"), actor: actor))]
            },
            "UpdateReferral": method { p, actor in
                ["referral": v.referral(try await store.updateReferral(
                    id: try p.requiredInt("id"), version: try p.requiredInt("version"), status: p.string("status"),
                    externalRef: p.string("external_ref"), deadline: p.string("deadline"), notes: p.string("notes"), actor: actor))]
            },
            "ListReferrals": method { p, actor in
                let page = try await store.referrals(caseID: p.int("case_id"), service: p.string("service"), status: p.string("status"),
                                                     limit: p.int("limit").map(Int.init), after: p.string("after"), actor: actor)
                return ["referrals": .array(page.items.map(v.referral)), "next": page.next.json]
            },
            "Search": method { p, actor in
                ["results": .array(try await store.search(try p.required("text"), limit: p.int("limit").map(Int.init), actor: actor).map(v.searchHit))]
            },
        ]
    }

    var handlers: [String: Method] {
        let v = views
        return [
            "Add": method { p, actor in ["handler": v.handler(try await store.addHandler(handlerInput(p.nested("handler")), actor: actor))] },
            "List": method { p, actor in ["handlers": .array(try await store.handlers(active: p.bool("active"), actor: actor).map(v.handler))] },
            "Update": method { p, actor in
                ["handler": v.handler(try await store.updateHandler(code: try p.required("code"), version: try p.requiredInt("version"),
                                                                     changes: handlerInput(p.nested("changes")), actor: actor))]
            },
            "Deactivate": method { p, actor in
                let (handler, moved) = try await store.deactivateHandler(code: try p.required("code"), version: try p.requiredInt("version"),
                                                                         reassignTo: p.string("reassign_to"), actor: actor)
                return ["handler": v.handler(handler), "reassigned_cases": .int(Int64(moved))]
            },
            "Reassign": method { p, actor in
                ["reassigned_cases": .int(Int64(try await store.reassignCases(from: try p.required("from"), to: try p.required("to"), actor: actor)))]
            },
            "ListServices": method { _, _ in ["services": .array(try await store.services().map(v.service))] },
            "AddService": method { p, actor in
                ["service": v.service(try await store.addService(code: try p.required("code"), name: try p.required("name"),
                                                                 kind: try p.required("kind"), contact: p.string("contact"), actor: actor))]
            },
        ]
    }

    var audit: [String: Method] {
        let v = views
        return [
            "List": method { p, actor in
                let page = try await store.auditEvents(object: p.string("object"), action: p.string("action"),
                                                       limit: p.int("limit").map(Int.init), after: p.string("after"), actor: actor)
                return ["events": .array(page.items.map(v.auditEvent)), "next": page.next.json]
            },
            "Verify": method { _, actor in
                let (count, broken, reason) = try await store.verifyAudit(actor: actor)
                return [
                    "ok": .bool(broken == nil), "events": .int(Int64(count)), "first_broken": broken.json,
                    "message": .string(reason ?? "the chain of \(count) events is intact"),
                ]
            },
        ]
    }

    /// A store refusal as the io.kawal error a client can act on.
    static func varlinkError(_ error: StoreError, policy: AccessPolicy) -> VarlinkError {
        switch error {
        case .notFound(let object):
            return VarlinkError("io.kawal.NotFound", ["object": .string(object), "message": .string("\(object) does not exist, or is not yours to see")])
        case .conflict(let object, let expected, let current):
            return VarlinkError("io.kawal.Conflict", [
                "object": .string(object), "expected_version": .int(expected), "current_version": .int(current),
                "message": .string("\(error); read it again and repeat the change with version \(current)"),
            ])
        case .invalid(let field, let message):
            return VarlinkError("io.kawal.InvalidInput", ["field": .string(field), "message": .string("\(field): \(message)")])
        case .duplicateSuspected(let candidates):
            return VarlinkError("io.kawal.People.DuplicateSuspected", [
                "message": .string("this person may be recorded already (\(candidates.map { "person/\($0.id): \($0.reason)" }.joined(separator: "; "))); check, then add with force if they are different people"),
                "candidates": .array(candidates.map(Views.duplicate)),
            ])
        case .invalidTransition(let code, let from, let to, let allowed):
            return VarlinkError("io.kawal.Cases.InvalidTransition", [
                "case": .string(code), "from": .string(from), "to": .string(to), "allowed": allowed.json,
                "message": .string(error.description),
            ])
        case .legalHold(let object, let cases):
            return VarlinkError("io.kawal.Privacy.LegalHold", ["object": .string(object), "cases": cases.json, "message": .string(error.description)])
        case .forbidden(let message):
            return VarlinkError("io.kawal.PermissionDenied", [
                "message": .string("\(message): that needs a member of group \(policy.adminGroup)"), "role": "handler",
                "required_group": .string(policy.adminGroup),
            ])
        }
    }
}
