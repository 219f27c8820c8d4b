import KawalDomain

extension StoreError {
    /// Refuses a value longer than `limit` (FieldLimit), naming the field.
    static func checkLength(_ value: String?, _ field: String, _ limit: Int) throws(StoreError) {
        if let message = FieldLimit.refusal(value, limit: limit) { throw .invalid(field: field, message: message) }
    }
}

extension PersonInput {
    /// Every field within its FieldLimit.
    func checkLengths() throws(StoreError) {
        for (value, field, limit) in [(name, "name", FieldLimit.name), (village, "village", FieldLimit.place), (hamlet, "hamlet", FieldLimit.place),
                                      (nik, "nik", FieldLimit.word), (kkNumber, "kk_number", FieldLimit.word), (birthDate, "birth_date", FieldLimit.word),
                                      (phone, "phone", FieldLimit.phone), (guardian, "guardian", FieldLimit.name),
                                      (disabilityType, "disability_type", FieldLimit.word), (notes, "notes", FieldLimit.notes)] {
            try StoreError.checkLength(value, field, limit)
        }
    }
}

extension CaseInput {
    /// Every field within its FieldLimit.
    func checkLengths() throws(StoreError) {
        for (value, field, limit) in [(subtype, "subtype", FieldLimit.word), (village, "village", FieldLimit.place), (summary, "summary", FieldLimit.summary),
                                      (notes, "notes", FieldLimit.notes), (due, "due", FieldLimit.reference), (handler, "handler", FieldLimit.word),
                                      (violenceForm, "violence_form", FieldLimit.word), (violencePlace, "violence_place", FieldLimit.word),
                                      (perpetratorRelation, "perpetrator_relation", FieldLimit.word),
                                      (reporter?.name, "reporter.name", FieldLimit.name), (reporter?.relation, "reporter.relation", FieldLimit.word),
                                      (reporter?.phone, "reporter.phone", FieldLimit.phone)] {
            try StoreError.checkLength(value, field, limit)
        }
    }
}

extension HandlerInput {
    /// Every field within its FieldLimit.
    func checkLengths() throws(StoreError) {
        for (value, field, limit) in [(code, "code", FieldLimit.word), (name, "name", FieldLimit.name), (unixUser, "unix_user", FieldLimit.word),
                                      (phone, "phone", FieldLimit.phone), (email, "email", FieldLimit.email), (supervisor, "supervisor", FieldLimit.word)] {
            try StoreError.checkLength(value, field, limit)
        }
        for village in villages ?? [] { try StoreError.checkLength(village, "villages", FieldLimit.place) }
    }
}
