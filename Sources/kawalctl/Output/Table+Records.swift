import Varlink

/// How each kind of record is laid out in a table, wherever it is listed. Names are shown as kawald
/// gives them, NIKs only masked, phone numbers not at all (`person show` has them).
extension Table {
    static func people(_ items: [JSONValue]) -> Table {
        var table = Table(["ID", "NAME", "SEX", "BORN", "VILLAGE", "NIK", "OPEN CASES"])
        for person in items {
            table.append([text(person["id"]), text(person["name"]), text(person["sex"]), text(person["birth_date"]),
                          text(person["village"]), text(person["nik_masked"]), text(person["open_cases"])])
        }
        return table
    }

    static func consents(_ items: [JSONValue]) -> Table {
        var table = Table(["ID", "PURPOSE", "ANSWER", "HOW", "RECORDED", "BY", "NOTE"])
        for consent in items {
            table.append([text(consent["id"]), text(consent["purpose"]), consent["granted"]?.boolValue == true ? "granted" : "refused",
                          text(consent["method"]), shownTime(consent["recorded_at"]), text(consent["recorded_by"]), text(consent["note"])])
        }
        return table
    }

    static func cases(_ items: [JSONValue]) -> Table {
        var table = Table(["ID", "CODE", "PERSON", "TYPE", "STATUS", "RISK", "HANDLER", "VILLAGE", "OPENED", "NEXT FOLLOW-UP"])
        for item in items {
            table.append([text(item["id"]), text(item["code"]), text(item["person_name"]), text(item["type"]), text(item["status"]),
                          shownRisk(item), text(item["handler"]), text(item["village"]), shownTime(item["opened_at"]),
                          shownTime(item["next_followup"])])
        }
        return table
    }

    /// `high`, or `high, urgent` when someone's safety is at stake.
    static func shownRisk(_ item: JSONValue) -> String {
        text(item["risk"]) + (item["urgent_safety"]?.boolValue == true ? ", urgent" : "")
    }

    static func history(_ items: [JSONValue]) -> Table {
        var table = Table(["AT", "BY", "WHAT", "CHANGE", "NOTE"])
        for entry in items {
            let change: String
            switch (entry["from"]?.stringValue, entry["to"]?.stringValue) {
            case (let from?, let to?): change = "\(from) → \(to)"
            case (nil, let to?): change = "→ \(to)"
            case (let from?, nil): change = "\(from) → none"
            case (nil, nil): change = "-"
            }
            table.append([shownTime(entry["at"]), text(entry["actor"]), text(entry["kind"]), change, text(entry["note"])])
        }
        return table
    }

    static func followUps(_ items: [JSONValue]) -> Table {
        var table = Table(["ID", "CASE", "KIND", "DUE", "STATUS", "ATTEMPT", "CONTACT", "OUTCOME"])
        for followUp in items {
            let status = text(followUp["status"]) + (followUp["overdue"]?.boolValue == true ? ", overdue" : "")
            table.append([text(followUp["id"]), text(followUp["case_code"]), text(followUp["kind"]), shownTime(followUp["due_at"]), status,
                          text(followUp["attempt"]), text(followUp["contact_made"]), text(followUp["outcome"])])
        }
        return table
    }

    static func referrals(_ items: [JSONValue]) -> Table {
        var table = Table(["ID", "CASE", "SERVICE", "STATUS", "CONSENT", "EXTERNAL REF", "DEADLINE", "UPDATED"])
        for referral in items {
            table.append([text(referral["id"]), text(referral["case_code"]), text(referral["service"]), text(referral["status"]),
                          text(referral["consent"]), text(referral["external_ref"]), shownTime(referral["deadline"]),
                          shownTime(referral["updated_at"])])
        }
        return table
    }

    static func handlers(_ items: [JSONValue]) -> Table {
        var table = Table(["CODE", "NAME", "LOGIN", "LANGUAGE", "VILLAGES", "SUPERVISOR", "ACTIVE", "OPEN CASES"])
        for handler in items {
            table.append([text(handler["code"]), text(handler["name"]), text(handler["unix_user"]), text(handler["language"]),
                          shownList(handler["villages"]), text(handler["supervisor"]), text(handler["active"]), text(handler["open_cases"])])
        }
        return table
    }

    static func services(_ items: [JSONValue]) -> Table {
        var table = Table(["CODE", "KIND", "NAME", "CONTACT"])
        for service in items {
            table.append([text(service["code"]), text(service["kind"]), text(service["name"]), text(service["contact"])])
        }
        return table
    }

    static func searchHits(_ items: [JSONValue]) -> Table {
        var table = Table(["KIND", "ID", "CODE", "TITLE", "MATCH"])
        for hit in items {
            table.append([text(hit["kind"]), text(hit["id"]), text(hit["code"]), text(hit["title"]), text(hit["snippet"])])
        }
        return table
    }

    static func auditEvents(_ items: [JSONValue]) -> Table {
        var table = Table(["ID", "AT", "ROLE", "UID", "PID", "ACTION", "OBJECT", "DETAIL"])
        for event in items {
            table.append([text(event["id"]), shownTime(event["at"]), text(event["actor_role"]), text(event["actor_uid"]),
                          text(event["actor_pid"]), text(event["action"]), text(event["object"]), text(event["detail"])])
        }
        return table
    }
}
