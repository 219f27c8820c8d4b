import ArgumentParser
import Varlink

struct PersonShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show everything recorded about one person, with their consent records.",
        discussion: """
            The NIK and KK number are masked unless --reveal is given; revealing needs an administrator and is \
            recorded in the audit log as such.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The person's id ('kawalctl person list' shows them).")
    var id: Int64

    @Flag(name: .long, help: "Show the full NIK (administrators only; audited).")
    var reveal = false

    func run() throws {
        let client = try ControlClient(options)
        let reply = try client.call("io.kawal.People.Get", ["id": .int(id), "reveal": .bool(reveal)])
        if options.printedJSON(reply) { return }
        let person = reply["person"] ?? .null
        var rows: [(String, String)] = [
            ("Person", text(person["id"])),
            ("Name", text(person["name"])),
            ("NIK", person["nik"]?.stringValue ?? text(person["nik_masked"])),
        ]
        rows += (person["nik_warnings"]?.arrayValue ?? []).map { ("NIK warning", text($0)) }
        rows += [
            ("KK", text(person["kk_number_masked"])),
            ("Sex", text(person["sex"])),
            ("Born", text(person["birth_date"])),
            ("Village", text(person["village"])),
            ("Hamlet", text(person["hamlet"])),
            ("Phone", text(person["phone"])),
            ("Vulnerable", shownList(person["vulnerabilities"])),
            ("Disability", text(person["disability_type"])),
            ("Guardian", text(person["guardian"])),
            ("Documents", shownList(person["documents"])),
            ("Notes", text(person["notes"])),
            ("Version", text(person["version"])),
            ("Added", shownTime(person["created_at"])),
            ("Changed", shownTime(person["updated_at"])),
        ]
        if person["restricted_at"] != nil && person["restricted_at"] != .null {
            rows.append(("Restricted", "since \(shownTime(person["restricted_at"])): \(text(person["restriction_reason"]))"))
        }
        Table.fields(rows).print()
        print("")
        print("Consent:")
        Table.consents(reply["consents"]?.arrayValue ?? []).print(ifEmpty: "none recorded ('kawalctl person consent' records it)")
    }
}
