import ArgumentParser
import Foundation
import KawalCore
import Varlink

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export records to a file (administrators).",
        subcommands: [ExportCases.self]
    )
}

struct ExportCases: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "Export every case with its person, as CSV or JSON.",
        discussion: """
            One row (CSV) or object (JSON) per case, oldest first. The columns are the fields 'kawalctl import \
            cases' reads without --mapping, so an export imports again (into new cases: code and status are \
            not imported), plus the case's code and status.

            The export is for the office's own records, and it is personal data: kawald audits it, and a file \
            given with --output is created readable by its owner only (mode 0600). As everywhere in Kawal, NIKs \
            are masked (5203**********01) and KK numbers left out unless --reveal is given, which the audit log \
            records as such. An export meant to be imported elsewhere needs --reveal, or the people lose their \
            NIK on the way.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, json
    }

    /// The columns, in the order of io.kawal.Import's ExportedCase.
    static let columns = [
        "code", "status", "opened", "type", "subtype", "risk", "urgent_safety", "handler", "summary", "notes",
        "name", "nik", "nik_masked", "kk_number", "sex", "birth_date", "village", "hamlet", "phone", "guardian",
    ]

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: "csv or json (an array of objects, one a line).")
    var format: Format = .csv

    @Option(name: .long, help: ArgumentHelp("Write to this file (mode 0600) instead of standard output.", valueName: "file"),
            completion: .file())
    var output: String?

    @Flag(name: .long, help: "Include full NIKs and KK numbers (audited).")
    var reveal = false

    func run() throws {
        let client = try ControlClient(options)
        var out: [UInt8] = []
        var csv = CSVWriter()
        var count = 0
        switch format {
        case .csv: csv.append(Self.columns)
        case .json: out.append(UInt8(ascii: "["))
        }
        try client.callMore("io.kawal.Import.ExportCases", ["reveal": .bool(reveal)]) { reply in
            for exported in reply["cases"]?.arrayValue ?? [] {
                switch format {
                case .csv:
                    csv.append(Self.columns.map { cell(exported[$0]) })
                case .json:
                    out.append(contentsOf: Array((count == 0 ? "\n" : ",\n").utf8))
                    // Keys in column order, so that files compare line by line.
                    out.append(contentsOf: Array("{".utf8))
                    for (position, column) in Self.columns.enumerated() {
                        if position > 0 { out.append(UInt8(ascii: ",")) }
                        JSONValue.string(column).write(to: &out)
                        out.append(UInt8(ascii: ":"))
                        (exported[column] ?? .null).write(to: &out)
                    }
                    out.append(UInt8(ascii: "}"))
                }
                count += 1
            }
        }
        switch format {
        case .csv: out = csv.take()
        case .json: out.append(contentsOf: Array((count == 0 ? "]\n" : "\n]\n").utf8))
        }
        if let output {
            try writePrivateFile(output, out)
            writeStandardError("exported \(grouped(count)) \(count == 1 ? "case" : "cases") to \(output)")
        } else {
            var offset = 0
            while offset < out.count {
                let written = out.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw CommandFailure(code: .daemonError, message: "cannot write to standard output: \(String(cString: strerror(errno)))") }
                offset += written
            }
        }
    }

    func cell(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: return text
        case .bool(let flag)?: return flag ? "true" : "false"
        case .int(let number)?: return String(number)
        default: return ""
        }
    }
}
