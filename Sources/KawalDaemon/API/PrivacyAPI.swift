import Foundation
import KawalCore
import KawalReports
import KawalStore
import Varlink

/// io.kawal.Reports and io.kawal.Privacy over the store.
struct PrivacyAPI: Sendable {
    let records: RecordsAPI
    let state: DaemonState
    var store: Store { records.store }
    var views: Views { records.views }

    /// One report, built and published as the configuration says; audited by the store.
    static func caseReport(store: Store, period: ReportPeriod, by: [String], minimumCell: Int, actor: Actor) async throws -> CaseReport {
        let figures = try await store.caseReportFigures(period: period, by: by, actor: actor)
        return CaseReportBuilder.build(figures, period: period, by: by, minimumCell: minimumCell,
                                       generatedAt: store.time.display(store.time.now()))
    }

    var reports: [String: RecordsAPI.Method] {
        [
            "Cases": records.method { p, actor in
                let period = try store.time.reportPeriod(try p.required("period"))
                let by = p.strings("by") ?? []
                var format: CaseReport.Format?
                if let text = p.string("format") {
                    guard let value = CaseReport.Format(rawValue: text) else {
                        throw StoreError.invalid(field: "format", message: "'\(text)' is not a report format: expected \(CaseReport.Format.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    format = value
                }
                let report = try await Self.caseReport(store: store, period: period, by: by, minimumCell: state.configuration.reports.minimumCell,
                                                       actor: actor)
                let text: JSONValue = format.map { $0 == .json ? .null : .string(report.rendered($0)) } ?? .null
                return ["report": CaseReportBuilder.json(report), "text": text]
            },
        ]
    }

    func consent(_ c: ConsentRecord) -> JSONValue {
        let v = views
        return [
            "id": .int(c.id!), "person_id": .int(c.personID), "purpose": .string(c.purpose), "granted": .bool(c.granted),
            "method": .string(c.method), "given_on": c.givenOn.json, "given_by": .string(c.givenBy), "guardian_name": c.guardianName.json,
            "proof_ref": c.proofRef.json, "recorded_at": v.time(c.recordedAt), "recorded_by": .string(c.recordedBy), "note": c.note.json,
            "withdrawn_at": v.time(c.withdrawnAt), "withdrawal_reason": c.withdrawalReason.json,
            "active": .bool(c.granted && c.withdrawnAt == nil),
        ]
    }

    var privacy: [String: RecordsAPI.Method] {
        let v = views
        return [
            "AddConsent": records.method { p, actor in
                ["consent": consent(try await store.addConsent(
                    personID: try p.requiredInt("person_id"), purpose: try p.required("purpose"), method: try p.required("method"),
                    givenOn: p.string("given_on"), givenBy: p.string("given_by"), guardianName: p.string("guardian_name"),
                    proofRef: p.string("proof_ref"), note: p.string("note"), actor: actor))]
            },
            "ListConsents": records.method { p, actor in
                ["consents": .array(try await store.consents(personID: p.int("person_id"), purpose: p.string("purpose"),
                                                             activeOnly: p.bool("active") ?? false, actor: actor).map(consent))]
            },
            "WithdrawConsent": records.method { p, actor in
                ["consent": consent(try await store.withdrawConsent(id: try p.requiredInt("id"), reason: p.string("reason"), actor: actor))]
            },
            "RetentionPlan": records.method { _, actor in
                let policy = state.configuration.retention
                let plan = try await store.retentionPlan(policy: policy, actor: actor)
                return [
                    "cases": .array(plan.map { entry in
                        [
                            "case_id": .int(entry.caseID), "case_code": .string(entry.code), "type": .string(entry.type),
                            "village": .string(entry.village), "finished_at": v.time(entry.closedAt), "purge_at": v.time(entry.purgeAt),
                            "retention_days": .int(Int64(policy.period(for: entry.type) / 86_400)), "legal_hold": .bool(entry.legalHold),
                            "due": .bool(entry.due),
                        ]
                    }),
                    "as_of": v.time(store.time.now()),
                ]
            },
            "Purge": records.method { _, actor in
                let outcome = try await store.purgeExpired(policy: state.configuration.retention, actor: actor)
                return ["purged": outcome.purged.json, "held": outcome.held.json, "people_removed": .int(Int64(outcome.peopleRemoved))]
            },
            "SetLegalHold": records.method { p, actor in
                let view = try await store.setLegalHold(caseID: try p.requiredInt("case_id"), hold: p.bool("hold") ?? true,
                                                        reason: p.string("reason"), actor: actor)
                return ["case_code": .string(view.record.code), "legal_hold": .bool(view.record.legalHold), "version": .int(view.record.version)]
            },
            "ExportPerson": records.method { p, actor in
                let export = try await store.exportPerson(id: try p.requiredInt("id"), actor: actor)
                return ["export": [
                    "person": v.person(export.person, reveal: true),
                    "consents": .array(export.consents.map(consent)),
                    "cases": .array(export.cases.map { detail in
                        [
                            "case": v.caseView(detail.view, audience: .dataSubject), "history": .array(detail.history.map(v.history)),
                            "followups": .array(detail.followUps.map(v.followUp)), "referrals": .array(detail.referrals.map(v.referral)),
                        ]
                    }),
                    "access_trail": .array(export.accessTrail.map(v.auditEvent)),
                    "exported_at": v.time(store.time.now()),
                ]]
            },
            "Restrict": records.method { p, actor in
                let person = try await store.restrictPerson(id: try p.requiredInt("id"), reason: try p.required("reason"), actor: actor)
                return ["person_id": .int(person.id!), "restricted_at": v.time(person.restrictedAt)]
            },
            "Unrestrict": records.method { p, actor in
                let person = try await store.unrestrictPerson(id: try p.requiredInt("id"), actor: actor)
                return ["person_id": .int(person.id!)]
            },
            "Erase": records.method { p, actor in
                let id = try p.requiredInt("id")
                let codes = try await store.erasePerson(id: id, reason: try p.required("reason"), actor: actor)
                return ["person_id": .int(id), "cases_deidentified": codes.json]
            },
        ]
    }
}
