import Foundation
import KawalCore
import KawalDomain
import KawalStore
import Varlink

/// Records as the io.kawal interfaces show them: times in the deployment's zone, NIKs masked.
struct Views {
    let time: TimeContext

    func time(_ date: Date?) -> JSONValue { date.map { .string(time.display($0)) } ?? .null }

    static func mask(_ digits: String?) -> JSONValue {
        digits.map { .string(Masking.digits($0)) } ?? .null
    }

    func person(_ p: PersonRecord, reveal: Bool) -> JSONValue {
        [
            "id": .int(p.id!), "nik": reveal ? p.nik.json : .null, "nik_masked": Self.mask(p.nik), "nik_warnings": p.nikWarnings.json,
            "kk_number_masked": Self.mask(p.kkNumber), "name": .string(p.name), "sex": p.sex.json, "birth_date": p.birthDate.json,
            "village": .string(p.village), "hamlet": p.hamlet.json, "phone": p.phone.json, "vulnerabilities": p.vulnerabilities.json,
            "disability_type": p.disabilityType.json, "guardian": p.guardian.json, "documents": p.documents.json, "notes": p.notes.json,
            "restricted_at": time(p.restrictedAt), "restriction_reason": p.restrictionReason.json, "version": .int(p.version), "created_at": time(p.createdAt), "updated_at": time(p.updatedAt),
        ]
    }

    func personSummary(_ listing: Store.PersonListing) -> JSONValue {
        let p = listing.person
        return [
            "id": .int(p.id!), "name": .string(p.name), "sex": p.sex.json, "birth_date": p.birthDate.json,
            "village": .string(p.village), "nik_masked": Self.mask(p.nik), "open_cases": .int(listing.openCases),
        ]
    }

    func consent(_ c: ConsentRecord) -> JSONValue {
        [
            "id": .int(c.id!), "purpose": .string(c.purpose), "granted": .bool(c.granted), "method": .string(c.method),
            "recorded_at": time(c.recordedAt), "recorded_by": .string(c.recordedBy), "note": c.note.json,
            "given_on": c.givenOn.json, "given_by": .string(c.givenBy), "proof_ref": c.proofRef.json, "withdrawn_at": time(c.withdrawnAt),
        ]
    }

    static func duplicate(_ d: DuplicateCandidate) -> JSONValue {
        ["id": .int(d.id), "name": .string(d.name), "village": .string(d.village), "birth_date": d.birthDate.json, "reason": .string(d.reason)]
    }

    func reporter(_ reporter: Reporter?, audience: ReporterAudience) -> JSONValue {
        guard let reporter else { return .null }
        let r = reporter.disclosed(to: audience)
        return ["name": r.name.json, "relation": r.relation.json, "phone": r.phone.json, "confidential": .bool(r.confidential), "anonymous": .bool(r.anonymous),
                "withheld": .bool(reporter.isWithheld(from: audience))]
    }

    /// A case as `audience` may see it (a confidential or anonymous reporter only for administrators).
    func caseView(_ v: CaseView, audience: ReporterAudience) -> JSONValue {
        let c = v.record
        return [
            "id": .int(c.id!), "code": .string(c.code), "person_id": .int(c.personID), "person_name": .string(v.personName),
            "type": .string(c.type), "subtype": c.subtype.json, "status": .string(c.status.rawValue), "risk": .string(c.risk),
            "urgent_safety": .bool(c.urgentSafety), "handler": v.handlerCode.json, "village": .string(c.village),
            "summary": c.summary.json, "notes": c.notes.json, "reporter": reporter(c.reporter, audience: audience), "opened_at": time(c.openedAt),
            "due_at": time(c.dueAt), "resolved_at": time(c.resolvedAt), "closed_at": time(c.closedAt), "legal_hold": .bool(c.legalHold),
            "legal_hold_reason": c.legalHoldReason.json, "violence_form": c.violenceForm.json, "violence_place": c.violencePlace.json,
            "perpetrator_relation": c.perpetratorRelation.json, "version": .int(c.version), "updated_at": time(c.updatedAt),
        ]
    }

    func caseSummary(_ v: CaseSummaryView) -> JSONValue {
        let c = v.record
        return [
            "id": .int(c.id!), "code": .string(c.code), "person_name": .string(v.personName), "type": .string(c.type),
            "status": .string(c.status.rawValue), "risk": .string(c.risk), "urgent_safety": .bool(c.urgentSafety),
            "handler": v.handlerCode.json, "village": .string(c.village), "opened_at": time(c.openedAt), "next_followup": time(v.nextFollowUp),
        ]
    }

    func history(_ e: CaseEventRecord) -> JSONValue {
        ["at": time(e.at), "actor": .string(e.actor), "kind": .string(e.kind), "from": e.fromValue.json, "to": e.toValue.json, "note": e.note.json]
    }

    func followUp(_ v: FollowUpView) -> JSONValue {
        let f = v.record
        return [
            "id": .int(f.id!), "case_id": .int(f.caseID), "case_code": .string(v.caseCode), "kind": .string(f.kind), "due_at": time(f.dueAt),
            "window_hours": f.windowHours.json, "status": .string(f.status.rawValue), "outcome": f.outcome.json, "contact_made": f.contactMade.json,
            "attempt": .int(f.attempt), "done_at": time(f.doneAt), "notes": f.notes.json, "overdue": .bool(v.overdue), "version": .int(f.version),
        ]
    }

    func referral(_ v: ReferralView) -> JSONValue {
        let r = v.record
        return [
            "id": .int(r.id!), "case_id": .int(r.caseID), "case_code": .string(v.caseCode), "service": .string(v.serviceCode),
            "status": .string(r.status.rawValue), "consent": .string(r.consent), "override_reason": r.overrideReason.json,
            "external_ref": r.externalRef.json, "deadline": time(r.deadline), "notes": r.notes.json, "version": .int(r.version),
            "created_at": time(r.createdAt), "updated_at": time(r.updatedAt),
        ]
    }

    func handler(_ v: HandlerView) -> JSONValue {
        let h = v.record
        return [
            "id": .int(h.id!), "code": .string(h.code), "name": .string(h.name), "unix_user": h.unixUser.json, "phone": h.phone.json,
            "email": h.email.json, "language": .string(h.language), "villages": h.villages.json, "supervisor": v.supervisorCode.json,
            "active": .bool(h.active), "open_cases": .int(v.openCases), "version": .int(h.version),
        ]
    }

    func service(_ s: ServiceRecord) -> JSONValue {
        ["id": .int(s.id!), "code": .string(s.code), "name": .string(s.name), "kind": .string(s.kind), "contact": s.contact.json]
    }

    func auditEvent(_ e: AuditEvent) -> JSONValue {
        [
            "id": .int(e.id!), "at": time(e.at), "actor_uid": .int(e.actorUID), "actor_pid": .int(e.actorPID),
            "actor_role": .string(e.actorRole), "action": .string(e.action), "object": .string(e.object), "detail": e.detail.json,
        ]
    }

    /// Keys are the import's field names, so that an export can be imported again.
    func exportedCase(_ e: ExportedCase, reveal: Bool) -> JSONValue {
        let c = e.record
        let p = e.person
        return [
            "code": .string(c.code), "status": .string(c.status.rawValue), "opened": .string(time.calendarDay(of: c.openedAt)), "type": .string(c.type),
            "subtype": c.subtype.json, "risk": .string(c.risk), "urgent_safety": .bool(c.urgentSafety), "handler": e.handlerCode.json,
            "summary": c.summary.json, "notes": c.notes.json, "name": .string(p.name), "nik": reveal ? p.nik.json : .null,
            "nik_masked": Self.mask(p.nik), "kk_number": reveal ? p.kkNumber.json : .null, "sex": p.sex.json,
            "birth_date": p.birthDate.json, "village": .string(p.village), "hamlet": p.hamlet.json, "phone": p.phone.json,
            "guardian": p.guardian.json,
        ]
    }

    func searchHit(_ h: SearchHit) -> JSONValue {
        ["kind": .string(h.kind), "id": .int(h.id), "code": h.code.json, "title": .string(h.title), "snippet": .string(h.snippet)]
    }
}
