/// What is entered about a person; nil leaves a field as it is (on update) or empty (on add).
public struct PersonInput: Sendable, Equatable {
    public var nik: String?
    public var kkNumber: String?
    public var name: String?
    public var sex: String?
    public var birthDate: String?
    public var village: String?
    public var hamlet: String?
    public var phone: String?
    public var vulnerabilities: [String]?
    public var disabilityType: String?
    public var guardian: String?
    public var documents: [String]?
    public var notes: String?

    public init(nik: String? = nil, kkNumber: String? = nil, name: String? = nil, sex: String? = nil, birthDate: String? = nil,
                village: String? = nil, hamlet: String? = nil, phone: String? = nil, vulnerabilities: [String]? = nil,
                disabilityType: String? = nil, guardian: String? = nil, documents: [String]? = nil, notes: String? = nil) {
        self.nik = nik
        self.kkNumber = kkNumber
        self.name = name
        self.sex = sex
        self.birthDate = birthDate
        self.village = village
        self.hamlet = hamlet
        self.phone = phone
        self.vulnerabilities = vulnerabilities
        self.disabilityType = disabilityType
        self.guardian = guardian
        self.documents = documents
        self.notes = notes
    }

    /// The names of the fields given, for the audit log (never their values).
    public var givenFields: [String] {
        var fields: [String] = []
        if nik != nil { fields.append("nik") }
        if kkNumber != nil { fields.append("kk_number") }
        if name != nil { fields.append("name") }
        if sex != nil { fields.append("sex") }
        if birthDate != nil { fields.append("birth_date") }
        if village != nil { fields.append("village") }
        if hamlet != nil { fields.append("hamlet") }
        if phone != nil { fields.append("phone") }
        if vulnerabilities != nil { fields.append("vulnerabilities") }
        if disabilityType != nil { fields.append("disability_type") }
        if guardian != nil { fields.append("guardian") }
        if documents != nil { fields.append("documents") }
        if notes != nil { fields.append("notes") }
        return fields
    }
}

/// What is entered about a case; nil leaves a field as it is.
public struct CaseInput: Sendable, Equatable {
    public var personID: Int64?
    public var type: String?
    public var subtype: String?
    public var risk: String?
    public var urgentSafety: Bool?
    public var village: String?
    public var summary: String?
    public var notes: String?
    public var due: String?
    public var reporter: Reporter?
    public var handler: String?
    public var legalHold: Bool?
    /// SIMFONI-PPA categories (violence cases only); "" clears one.
    public var violenceForm: String?
    public var violencePlace: String?
    public var perpetratorRelation: String?

    public init(personID: Int64? = nil, type: String? = nil, subtype: String? = nil, risk: String? = nil, urgentSafety: Bool? = nil,
                village: String? = nil, summary: String? = nil, notes: String? = nil, due: String? = nil, reporter: Reporter? = nil,
                handler: String? = nil, legalHold: Bool? = nil, violenceForm: String? = nil, violencePlace: String? = nil,
                perpetratorRelation: String? = nil) {
        self.violenceForm = violenceForm
        self.violencePlace = violencePlace
        self.perpetratorRelation = perpetratorRelation
        self.personID = personID
        self.type = type
        self.subtype = subtype
        self.risk = risk
        self.urgentSafety = urgentSafety
        self.village = village
        self.summary = summary
        self.notes = notes
        self.due = due
        self.reporter = reporter
        self.handler = handler
        self.legalHold = legalHold
    }

    public var givenFields: [String] {
        var fields: [String] = []
        if personID != nil { fields.append("person_id") }
        if type != nil { fields.append("type") }
        if subtype != nil { fields.append("subtype") }
        if risk != nil { fields.append("risk") }
        if urgentSafety != nil { fields.append("urgent_safety") }
        if village != nil { fields.append("village") }
        if summary != nil { fields.append("summary") }
        if notes != nil { fields.append("notes") }
        if due != nil { fields.append("due") }
        if reporter != nil { fields.append("reporter") }
        if handler != nil { fields.append("handler") }
        if legalHold != nil { fields.append("legal_hold") }
        if violenceForm != nil { fields.append("violence_form") }
        if violencePlace != nil { fields.append("violence_place") }
        if perpetratorRelation != nil { fields.append("perpetrator_relation") }
        return fields
    }
}

public struct HandlerInput: Sendable, Equatable {
    public var code: String?
    public var name: String?
    public var unixUser: String?
    public var phone: String?
    public var email: String?
    public var language: String?
    public var villages: [String]?
    public var supervisor: String?

    public init(code: String? = nil, name: String? = nil, unixUser: String? = nil, phone: String? = nil, email: String? = nil,
                language: String? = nil, villages: [String]? = nil, supervisor: String? = nil) {
        self.code = code
        self.name = name
        self.unixUser = unixUser
        self.phone = phone
        self.email = email
        self.language = language
        self.villages = villages
        self.supervisor = supervisor
    }
}

/// One page of a list, and the cursor for the next page (nil at the end).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: String?
}
