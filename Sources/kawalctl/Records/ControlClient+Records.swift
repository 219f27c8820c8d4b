import Varlink

/// Reading records: whole lists, cases by id or code, and the versions that changes must name.
extension ControlClient {
    /// A list method's reply. With `--all`, every page, following `next` until kawald says there is
    /// no more; the reply then holds all `items` and a null `next`.
    func list(_ method: String, _ parameters: [String: JSONValue], items key: String, paging: Paging) throws(CommandFailure) -> [String: JSONValue] {
        var parameters = parameters.merging(paging.parameters) { _, paging in paging }
        var reply = try call(method, parameters)
        guard paging.all else { return reply }
        var items = reply[key]?.arrayValue ?? []
        while let next = reply["next"]?.stringValue {
            parameters["after"] = .string(next)
            reply = try call(method, parameters)
            items += reply[key]?.arrayValue ?? []
        }
        reply[key] = .array(items)
        return reply
    }

    /// io.kawal.Cases.Get: the case, its history, follow-ups and referrals.
    func caseDetail(_ reference: CaseReference) throws(CommandFailure) -> [String: JSONValue] {
        try call("io.kawal.Cases.Get", reference.parameters)
    }

    /// The id of a case; a code is looked up.
    func caseID(_ reference: CaseReference) throws(CommandFailure) -> Int64 {
        if case .id(let id) = reference { return id }
        return try caseDetail(reference)["case"]?["id"]?.intValue ?? 0
    }

    /// The case's id, and the version a change should name: the one given, else the one kawald has
    /// now (kawald still refuses with io.kawal.Conflict if it changes before the change arrives).
    func caseTarget(_ reference: CaseReference, version: Int64?) throws(CommandFailure) -> (id: Int64, version: Int64) {
        if case .id(let id) = reference, let version { return (id, version) }
        let found = try caseDetail(reference)["case"]
        return (found?["id"]?.intValue ?? 0, version ?? found?["version"]?.intValue ?? 0)
    }

    /// The version a change to a person should name: the one given, else the current one.
    func personVersion(_ id: Int64, given: Int64?) throws(CommandFailure) -> Int64 {
        if let given { return given }
        return try call("io.kawal.People.Get", ["id": .int(id)])["person"]?["version"]?.intValue ?? 0
    }

    /// A handler by code, from io.kawal.Handlers.List.
    func handler(_ code: String) throws(CommandFailure) -> JSONValue {
        let handlers = try call("io.kawal.Handlers.List")["handlers"]?.arrayValue ?? []
        guard let found = handlers.first(where: { $0["code"]?.stringValue == code }) else {
            throw notFound("handler/\(code)", "no handler with code '\(code)'; 'kawalctl handler list' shows them")
        }
        return found
    }

    /// A planned follow-up by id. kawald has no call that reads one follow-up, so the planned ones
    /// (the only ones that can still be recorded) are listed until it turns up.
    func plannedFollowUp(_ id: Int64) throws(CommandFailure) -> JSONValue {
        try find(id, in: "io.kawal.Cases.ListFollowUps", items: "followups",
                 orFail: notFound("followup/\(id)", "follow-up \(id) is not planned: it does not exist, is not yours to see, or was recorded already ('kawalctl followup list' shows the planned ones)"))
    }

    /// A referral by id, listed until it turns up (kawald has no call that reads one referral).
    func referral(_ id: Int64) throws(CommandFailure) -> JSONValue {
        try find(id, in: "io.kawal.Cases.ListReferrals", items: "referrals",
                 orFail: notFound("referral/\(id)", "referral \(id) does not exist, or is not yours to see; 'kawalctl referral list' shows them"))
    }

    private func find(_ id: Int64, in method: String, items key: String, orFail failure: CommandFailure) throws(CommandFailure) -> JSONValue {
        var parameters: [String: JSONValue] = ["limit": 500]
        while true {
            let reply = try call(method, parameters)
            if let found = reply[key]?.arrayValue?.first(where: { $0["id"]?.intValue == id }) { return found }
            guard let next = reply["next"]?.stringValue else { throw failure }
            parameters["after"] = .string(next)
        }
    }

    /// A record kawalctl looked for and did not find, reported as kawald reports io.kawal.NotFound.
    func notFound(_ object: String, _ message: String) -> CommandFailure {
        CommandFailure(code: .daemonError, message: message,
                       json: options.json ? ["error": "io.kawal.NotFound", "parameters": ["object": .string(object), "message": .string(message)]] : nil)
    }
}
