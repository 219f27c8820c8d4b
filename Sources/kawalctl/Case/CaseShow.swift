import ArgumentParser
import Varlink

struct CaseShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one case: its record, its history, its follow-ups and its referrals.",
        discussion: """
            A number is a case id, anything else a case code (K-2025-0001). Case handlers see only the cases \
            assigned to them. The reporter's phone number is printed only with --json.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The case's id or code.", valueName: "id-or-code"))
    var reference: CaseReference

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.caseDetail(reference)
        if options.printedJSON(reply) { return }
        let shown = reply["case"] ?? .null
        var rows: [(String, String)] = [
            ("Case", "\(text(shown["code"])) (id \(text(shown["id"])))"),
            ("Person", "\(text(shown["person_name"])) (person \(text(shown["person_id"])))"),
            ("Type", text(shown["type"]) + (shown["subtype"]?.stringValue.map { " / \($0)" } ?? "")),
            ("Status", text(shown["status"])),
            ("Risk", Table.shownRisk(shown)),
            ("Handler", shown["handler"]?.stringValue ?? "none"),
            ("Village", text(shown["village"])),
            ("Summary", text(shown["summary"])),
            ("Notes", text(shown["notes"])),
            ("Reporter", Self.reporter(shown["reporter"])),
            ("Opened", shownTime(shown["opened_at"])),
            ("Due", shownTime(shown["due_at"])),
        ]
        if shown["resolved_at"] != .null { rows.append(("Resolved", shownTime(shown["resolved_at"]))) }
        if shown["closed_at"] != .null { rows.append(("Closed", shownTime(shown["closed_at"]))) }
        if shown["legal_hold"]?.boolValue == true {
            rows.append(("Legal hold", shown["legal_hold_reason"]?.stringValue.map { "yes: \($0)" } ?? "yes"))
        }
        if shown["type"]?.stringValue == "violence" {
            rows.append(("SIMFONI-PPA", [shown["violence_form"], shown["violence_place"], shown["perpetrator_relation"]].map { text($0) }
                .joined(separator: " / ")))
        }
        rows += [("Version", text(shown["version"])), ("Changed", shownTime(shown["updated_at"]))]
        Table.fields(rows).print()
        print("\nHistory:")
        Table.history(reply["history"]?.arrayValue ?? []).print(ifEmpty: "none")
        print("\nFollow-ups:")
        Table.followUps(reply["followups"]?.arrayValue ?? []).print(ifEmpty: "none planned")
        print("\nReferrals:")
        Table.referrals(reply["referrals"]?.arrayValue ?? []).print(ifEmpty: "none")
    }

    /// Who reported, without their phone number.
    static func reporter(_ reporter: JSONValue?) -> String {
        guard let reporter, reporter != .null else { return "-" }
        var parts: [String] = []
        if reporter["anonymous"]?.boolValue == true { parts.append("anonymous") }
        if let name = reporter["name"]?.stringValue { parts.append(name) }
        if let relation = reporter["relation"]?.stringValue { parts.append(relation) }
        if reporter["phone"]?.stringValue != nil { parts.append("phone on file") }
        if reporter["withheld"]?.boolValue == true { parts.append("who reported is known to administrators only") }
        if reporter["confidential"]?.boolValue == true { parts.append("CONFIDENTIAL: do not tell who reported") }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }
}
