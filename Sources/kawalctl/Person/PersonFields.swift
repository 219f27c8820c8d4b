import ArgumentParser
import KawalCore
import Varlink

/// What `person add` and `person update` enter about a person; only the options given are sent.
struct PersonFields: ParsableArguments {
    @Option(name: .long, help: "Full name, as on the KTP or KK.")
    var name: String?

    @Option(name: .long, help: "Village (desa).")
    var village: String?

    @Option(name: .long, help: ArgumentHelp("NIK, 16 digits. One that does not match the sex or birth date is kept, with a warning.", valueName: "nik"))
    var nik: String?

    @Option(name: .customLong("kk"), help: ArgumentHelp("Family card (KK) number, 16 digits.", valueName: "number"))
    var kkNumber: String?

    @Option(name: .long, help: ArgumentHelp("female or male (perempuan, laki-laki).", valueName: "sex"), transform: parseSex)
    var sex: NIK.Sex?

    @Option(name: .long, help: ArgumentHelp("Birth date: YYYY-MM-DD or DD/MM/YYYY.", valueName: "date"))
    var birthDate: String?

    @Option(name: .long, help: "Hamlet (dusun).")
    var hamlet: String?

    @Option(name: .long, help: ArgumentHelp("Phone number: 08…, 628… or +628….", valueName: "number"))
    var phone: String?

    @Option(name: .customLong("vulnerability"), help: ArgumentHelp("Repeat for each that applies: \(Choice.vulnerability.list).", valueName: "flag"),
            transform: Choice.vulnerability.parse)
    var vulnerabilities: [String] = []

    @Option(name: .long, help: ArgumentHelp("The kind of disability, in words.", valueName: "text"))
    var disabilityType: String?

    @Option(name: .long, help: ArgumentHelp("Guardian (wali), for a child or someone who cannot act alone.", valueName: "name"))
    var guardian: String?

    @Option(name: .customLong("document"), help: ArgumentHelp("Repeat for each document the person holds: \(Choice.document.list).", valueName: "document"),
            transform: Choice.document.parse)
    var documents: [String] = []

    @Option(name: .long, help: ArgumentHelp("Free notes.", valueName: "text"))
    var notes: String?

    /// io.kawal.People.PersonInput with the fields given.
    var input: [String: JSONValue] {
        var input: [String: JSONValue] = [:]
        let strings: [(String, String?)] = [
            ("name", name), ("village", village), ("nik", nik), ("kk_number", kkNumber), ("sex", sex?.rawValue),
            ("birth_date", birthDate), ("hamlet", hamlet), ("phone", phone), ("disability_type", disabilityType),
            ("guardian", guardian), ("notes", notes),
        ]
        for case let (key, value?) in strings { input[key] = .string(value) }
        if !vulnerabilities.isEmpty { input["vulnerabilities"] = .array(vulnerabilities.map { .string($0) }) }
        if !documents.isEmpty { input["documents"] = .array(documents.map { .string($0) }) }
        return input
    }
}
