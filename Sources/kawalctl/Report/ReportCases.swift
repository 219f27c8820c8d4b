import ArgumentParser
import Varlink

struct ReportCases: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "Cases of a period: opened, resolved, open, time to resolution, follow-ups, referrals, violence categories.",
        discussion: """
            Examples:
              kawalctl report cases --period 2025-01..2025-03 --by desa,type
              kawalctl report cases --period 2025-03 --by desa,sex,age_band --format csv > maret.csv
              kawalctl report cases --period 2025-01..2025-03 --by desa --format html > laporan.html

            Formats: table (default), csv, json (the figures as kawald sends them; also --json), md \
            (Markdown), html (one self-contained printable page with charts).
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Months: 2025-01..2025-03, or one month: 2025-03.", valueName: "from..to"))
    var period: String

    @Option(name: .long, help: ArgumentHelp("Group by, comma separated: desa, type, sex, age_band, disability, status.", valueName: "dimensions"))
    var by: String = "desa,type"

    @Option(name: .long, help: ArgumentHelp("table, csv, json, md or html.", valueName: "format"))
    var format: String = "table"

    func validate() throws {
        guard ["table", "csv", "json", "md", "html"].contains(format) else {
            throw ValidationError("'\(format)' is not a report format; expected table, csv, json, md or html")
        }
    }

    func run() throws {
        let client = try ControlClient(options)
        let dimensions = by.split(separator: ",").map { String($0.filter { $0 != " " }) }
        let reply = try client.call("io.kawal.Reports.Cases", [
            "period": .string(period), "by": .array(dimensions.map { .string($0) }), "format": .string(format),
        ])
        if options.printedJSON(reply) { return }
        if format == "json" {
            print((reply["report"] ?? .null).prettyPrinted())
            return
        }
        let text = reply["text"]?.stringValue ?? ""
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
    }
}
