import ArgumentParser
import Varlink

struct PersonAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a person: a name and a village at least.",
        discussion: """
            kawald refuses a likely duplicate (the same NIK, or the same name, birth date and village) and \
            lists the people it may be; look at them with 'kawalctl person show ID', and if this is someone \
            else, add again with --force (which the audit log records). A NIK that does not match the sex or \
            birth date is kept, and the mismatch printed as a warning.
            """
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var fields: PersonFields

    @Flag(name: .long, help: "Add even if kawald suspects the person is recorded already.")
    var force = false

    func validate() throws {
        if fields.name == nil || fields.village == nil {
            throw ValidationError("a person needs at least --name and --village, e.g. --name 'Siti Aminah' --village Sembalun")
        }
    }

    func run() throws {
        let client = try ControlClient(options)
        let reply: [String: JSONValue]
        do {
            reply = try client.call("io.kawal.People.Add", ["person": .object(fields.input), "force": .bool(force)])
        } catch {
            guard let duplicate = error.reply, duplicate.name == "io.kawal.People.DuplicateSuspected" else { throw error }
            var explained = error
            explained.message = Self.duplicates(duplicate.parameters["candidates"]?.arrayValue ?? [])
            throw explained
        }
        if options.printedJSON(reply) { return }
        let person = reply["person"] ?? .null
        let nik = person["nik_masked"]?.stringValue.map { " (NIK \($0))" } ?? ""
        print("Added person \(text(person["id"])): \(text(person["name"])), \(text(person["village"]))\(nik)")
        for warning in reply["warnings"]?.arrayValue ?? [] {
            print("warning: \(text(warning))")
        }
    }

    static func duplicates(_ candidates: [JSONValue]) -> String {
        var table = Table(["ID", "NAME", "VILLAGE", "BORN", "WHY"])
        for candidate in candidates {
            table.append([text(candidate["id"]), text(candidate["name"]), text(candidate["village"]), text(candidate["birth_date"]),
                          text(candidate["reason"])])
        }
        return """
            this person may be recorded already:
            \(table.rendered)
            Check with 'kawalctl person show ID'; if this is someone else, add again with --force.
            """
    }
}
