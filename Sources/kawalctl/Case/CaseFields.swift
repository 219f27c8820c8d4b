import ArgumentParser
import Varlink

/// What `case open` and `case update` enter about a case; only the options given are sent.
struct CaseFields: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The person the case is about (their id).", valueName: "id"))
    var person: Int64?

    @Option(name: .long, help: ArgumentHelp("\(Choice.caseType.list).", valueName: "type"), transform: Choice.caseType.parse)
    var type: String?

    @Option(name: .long, help: ArgumentHelp("A finer type, in words, e.g. akta_lahir.", valueName: "text"))
    var subtype: String?

    @Option(name: .long, help: ArgumentHelp("\(Choice.risk.list).", valueName: "level"), transform: Choice.risk.parse)
    var risk: String?

    @Flag(name: .long, inversion: .prefixedNo, help: "Someone's safety is at stake now.")
    var urgent: Bool?

    @Option(name: .long, help: "The village (desa) of the case (default: the person's).")
    var village: String?

    @Option(name: .long, help: ArgumentHelp("What the case is about, in a sentence.", valueName: "text"))
    var summary: String?

    @Option(name: .long, help: ArgumentHelp("Free notes.", valueName: "text"))
    var notes: String?

    @Option(name: .long, help: ArgumentHelp("When it should be resolved: 2025-02-07, 2025-02-07T09:00, today, +3d.", valueName: "when"))
    var due: String?

    @Option(name: .long, help: ArgumentHelp("Who reported the case.", valueName: "name"))
    var reporterName: String?

    @Option(name: .long, help: ArgumentHelp("The reporter's relation to the person, e.g. neighbour, teacher.", valueName: "text"))
    var reporterRelation: String?

    @Option(name: .long, help: ArgumentHelp("The reporter's phone number.", valueName: "number"))
    var reporterPhone: String?

    @Flag(name: .long, inversion: .prefixedNo, help: "Do not tell the person or anyone else who reported.")
    var confidential: Bool?

    @Flag(name: .long, inversion: .prefixedNo, help: "The reporter did not give their name.")
    var anonymous: Bool?

    @Flag(name: .long, inversion: .prefixedNo, help: "Keep the case past its retention date (a legal hold).")
    var legalHold: Bool?

    @Option(name: .long, help: ArgumentHelp("Violence cases: SIMFONI-PPA form of violence (fisik, psikis, seksual, eksploitasi, trafiking, penelantaran, lainnya).", valueName: "form"))
    var violenceForm: String?

    @Option(name: .long, help: ArgumentHelp("Violence cases: where it happened (rumah_tangga, tempat_kerja, sekolah, fasilitas_umum, lembaga_pendidikan_kilat, lainnya).", valueName: "place"))
    var violencePlace: String?

    @Option(name: .long, help: ArgumentHelp("Violence cases: the perpetrator's relationship to the victim (orang_tua, keluarga, suami_istri, pacar_teman, guru, majikan, rekan_kerja, petugas, tetangga, lainnya, tidak_diketahui).", valueName: "relation"))
    var perpetratorRelation: String?

    /// True when any reporter option is given.
    var changesReporter: Bool {
        reporterName != nil || reporterRelation != nil || reporterPhone != nil || confidential != nil || anonymous != nil
    }

    /// The reporter, as recorded (`current`) with the options given applied.
    func reporter(updating current: JSONValue?) -> JSONValue {
        var reporter: [String: JSONValue] = ["confidential": false, "anonymous": false]
        for (key, value) in current?.objectValue ?? [:] { reporter[key] = value }
        if let reporterName { reporter["name"] = .string(reporterName) }
        if let reporterRelation { reporter["relation"] = .string(reporterRelation) }
        if let reporterPhone { reporter["phone"] = .string(reporterPhone) }
        if let confidential { reporter["confidential"] = .bool(confidential) }
        if let anonymous { reporter["anonymous"] = .bool(anonymous) }
        return .object(reporter)
    }

    /// io.kawal.Cases.CaseInput with the fields given; the reporter is built from `currentReporter`.
    func input(currentReporter: JSONValue?) -> [String: JSONValue] {
        var input: [String: JSONValue] = [:]
        if let person { input["person_id"] = .int(person) }
        let strings: [(String, String?)] = [
            ("type", type), ("subtype", subtype), ("risk", risk), ("village", village), ("summary", summary), ("notes", notes), ("due", due),
            ("violence_form", violenceForm), ("violence_place", violencePlace), ("perpetrator_relation", perpetratorRelation),
        ]
        for case let (key, value?) in strings { input[key] = .string(value) }
        if let urgent { input["urgent_safety"] = .bool(urgent) }
        if let legalHold { input["legal_hold"] = .bool(legalHold) }
        if changesReporter { input["reporter"] = reporter(updating: currentReporter) }
        return input
    }
}
