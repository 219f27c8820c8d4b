import ArgumentParser
import Foundation
import KawalCore
import Varlink

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import records from a file (administrators).",
        subcommands: [ImportCases.self]
    )
}

struct ImportCases: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "Import people and their cases from a CSV file, all rows or none.",
        discussion: """
            Each row of FILE is a person and a case. kawalctl reads the file (kawald never opens it), maps its \
            columns to Kawal's fields with the mapping file, and sends the rows to kawald, which checks each one \
            with the rules of 'person add' and 'case open'. A person already recorded (same NIK, or same name, \
            birth date and village) gets the new case instead of a second record.

            By default the import is all or nothing: if any row is refused, every refusal is listed \
            ("row 17, column tanggal_lahir: ...", rows numbered as a spreadsheet shows them, the header being \
            row 1) and nothing is written. With --skip-invalid REJECTS.csv the good rows are imported and the \
            refused ones are written to REJECTS.csv with their original columns and an 'error' column, ready \
            to be fixed and imported again. --dry-run checks and counts everything and writes nothing.

            Without --mapping, the columns must be Kawal's field names, as 'kawalctl export cases' writes \
            them. The mapping for KoboToolbox exports with Indonesian headers (nama, nik, jenis_kelamin, \
            tanggal_lahir, desa, dusun, no_hp, jenis_kasus, risiko, ringkasan, tanggal_lapor, pendamping) is \
            shipped as \(KawalDefaults.importMappingDirectory)/kobo-id.toml; copy it to adapt it to a form. \
            Fields: \(CaseImportField.allCases.map(\.rawValue).joined(separator: ", ")).

            The delimiter (',', ';' or tab) is the one the header line holds most of. A progress line is \
            drawn on stderr when stderr is a terminal.

            Exit status: 0 imported (or, with --dry-run, nothing refused); 1 rows were refused, or the file \
            or mapping cannot be used, or kawald refused; 2 the command line is wrong; 3 kawald cannot be reached.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The CSV file.", valueName: "file"), completion: .file(extensions: ["csv"]))
    var file: String

    @Option(name: .long, help: ArgumentHelp("How the file's columns map to Kawal's fields (e.g. \(KawalDefaults.importMappingDirectory)/kobo-id.toml).",
                                            valueName: "mapping.toml"), completion: .file(extensions: ["toml"]))
    var mapping: String?

    @Flag(name: .long, help: "Check and count everything; write nothing.")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Import the good rows and write the refused ones, with an 'error' column, to this file.",
                                            valueName: "rejects.csv"), completion: .file(extensions: ["csv"]))
    var skipInvalid: String?

    /// Rows per AddRows call, and the most cell bytes in one: far under varlink's 8 MiB.
    static let batchRows = 2000
    static let batchBytes = 2 * 1024 * 1024

    /// One refused row: where, why, and the row as it was (for the rejects file).
    struct Refusal {
        var row: Int
        var column: String
        var message: String
        var original: [String]
    }

    func validate() throws {
        if let skipInvalid, URL(fileURLWithPath: skipInvalid).standardized.path == URL(fileURLWithPath: file).standardized.path {
            throw ValidationError("--skip-invalid would overwrite the file being imported; name another file for the refused rows")
        }
    }

    func run() throws {
        let name = URL(fileURLWithPath: file).lastPathComponent
        let columnMapping = try loadMapping()
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure(code: .daemonError, message: "cannot read \(file): \(String(cString: strerror(errno)))")
        }
        var reader = CSVReader(bytes: [UInt8](data))
        let header: [String]
        do {
            guard let first = try reader.next() else { throw CommandFailure(code: .daemonError, message: "\(file) is empty; the first row must name the columns") }
            header = first
        } catch let failure as CSVReader.Failure {
            throw CommandFailure(code: .daemonError, message: "\(file): \(failure)")
        }
        let layout = try ColumnLayout(header: header, mapping: columnMapping, file: file)

        let client = try ControlClient(options)
        let begun = try client.call("io.kawal.Import.Begin", [
            "source": .string(name), "fields": .array(layout.fields.map { .string($0.rawValue) }), "dry_run": .bool(dryRun),
        ])
        guard let session = begun["session"]?.stringValue else { throw CommandFailure(code: .unreachable, message: "kawald sent no import session") }

        var progress = ProgressLine(label: (dryRun ? "Checking " : "Importing ") + name)
        var tally = Tally()
        var batch = try nextBatch(&reader, layout: layout, tally: &tally)
        do {
            while !batch.rows.isEmpty {
                try client.connection.send(VarlinkCall(method: "io.kawal.Import.AddRows", parameters: ["session": .string(session), "rows": .array(batch.rows)]))
                // Read the next batch while kawald checks this one.
                let next = try nextBatch(&reader, layout: layout, tally: &tally)
                let reply = try client.connection.receive()
                if let error = reply.error { throw VarlinkError(error, reply.parameters) }
                for rejected in reply.parameters["rejected"]?.arrayValue ?? [] {
                    let row = Int(rejected["row"]?.intValue ?? 0)
                    let field = rejected["field"]?.stringValue ?? ""
                    tally.refusals.append(Refusal(row: row, column: layout.column(for: field), message: rejected["message"]?.stringValue ?? "refused",
                                            original: batch.originals[row] ?? []))
                }
                progress.update(done: reader.offset, total: reader.bytes.count, rows: tally.rows)
                batch = next
            }
        } catch let failure as CommandFailure {
            progress.finish()
            throw failure
        } catch let failure as CSVReader.Failure {
            progress.finish()
            _ = try? client.call("io.kawal.Import.Abort", ["session": .string(session)])
            throw CommandFailure(code: .daemonError, message: "\(file): \(failure); nothing was imported")
        } catch {
            progress.finish()
            throw client.map(error)
        }
        progress.finish()
        let refusals = tally.refusals.sorted { $0.row < $1.row }
        let total = tally.rows

        if !refusals.isEmpty && skipInvalid == nil {
            _ = try? client.call("io.kawal.Import.Abort", ["session": .string(session)])
            let shown = options.json ? [] : Array(refusals.prefix(100))
            for refusal in shown {
                writeStandardError("\(name): row \(refusal.row), column \(refusal.column): \(refusal.message)")
            }
            if refusals.count > shown.count && !options.json {
                writeStandardError("\(name): … and \(refusals.count - shown.count) more refused rows (--skip-invalid FILE writes them all, with their errors)")
            }
            let good = total - refusals.count
            throw CommandFailure(
                code: .daemonError,
                message: "\(refusals.count) of \(total) rows of \(name) \(refusals.count == 1 ? "was" : "were") refused; nothing was imported. "
                    + "Fix \(refusals.count == 1 ? "it" : "them"), or import the other \(good) with --skip-invalid REJECTS.csv",
                json: options.json ? ["committed": false, "rows": .int(Int64(total)), "rejected": .array(refusals.map(json))] : nil)
        }

        let accepted = total - refusals.count
        progress.show(dryRun ? "checking \(grouped(accepted)) rows against the records…" : "writing \(grouped(accepted)) rows in one transaction…")
        let committed: [String: JSONValue]
        do {
            committed = try client.call("io.kawal.Import.Commit", ["session": .string(session)])
            progress.finish()
        } catch {
            progress.finish()
            throw error
        }
        if let skipInvalid { try writeRejects(refusals, header: header, to: skipInvalid) }
        let counts = committed["counts"]?.objectValue ?? [:]
        let created = counts["people_created"]?.intValue ?? 0
        let matched = counts["people_matched"]?.intValue ?? 0
        let cases = counts["cases_created"]?.intValue ?? 0
        if options.json {
            print(JSONValue.object([
                "committed": .bool(!dryRun), "dry_run": .bool(dryRun), "rows": .int(Int64(total)), "people_created": .int(created),
                "people_matched": .int(matched), "cases_created": .int(cases), "rejected": .array(refusals.map(json)),
                "rejects_file": skipInvalid.map { .string($0) } ?? .null,
            ]).prettyPrinted())
            return
        }
        let people = "\(grouped(Int(created))) new \(created == 1 ? "person" : "people"), \(grouped(Int(matched))) already recorded"
        if dryRun {
            print("Dry run of \(name): \(grouped(Int(cases))) of \(grouped(total)) rows would open a case (\(people)); nothing was written.")
        } else {
            print("Imported \(name): \(grouped(Int(cases))) of \(grouped(total)) rows opened a case (\(people)).")
        }
        if let skipInvalid {
            print("\(grouped(refusals.count)) refused \(refusals.count == 1 ? "row" : "rows") written to \(skipInvalid).")
        }
    }

    func loadMapping() throws -> ImportMapping {
        guard let mapping else { return ImportMapping.kawalColumns }
        do {
            return try ImportMapping.load(path: mapping)
        } catch {
            throw CommandFailure(code: .daemonError, message: error.description)
        }
    }

    /// What was read and refused so far.
    struct Tally {
        /// Rows read, blank ones not counted.
        var rows = 0
        var refusals: [Refusal] = []
    }

    /// The next rows to send, as io.kawal.Import.Row values. Rows whose cell count is not the
    /// header's are refused here; blank rows are skipped.
    func nextBatch(_ reader: inout CSVReader, layout: ColumnLayout, tally: inout Tally) throws -> (rows: [JSONValue], originals: [Int: [String]]) {
        var rows: [JSONValue] = []
        var originals: [Int: [String]] = [:]
        var bytes = 0
        rows.reserveCapacity(Self.batchRows)
        while rows.count < Self.batchRows && bytes < Self.batchBytes, let record = try reader.next() {
            if record.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) { continue }
            tally.rows += 1
            guard record.count == layout.header.count else {
                tally.refusals.append(Refusal(row: reader.row, column: "-", message: "has \(record.count) cells where the header has \(layout.header.count)",
                                        original: record))
                continue
            }
            var values: [JSONValue] = []
            values.reserveCapacity(layout.fields.count)
            for (position, field) in zip(layout.positions, layout.fields) {
                let cell = record[position]
                bytes += cell.utf8.count
                values.append(.string(layout.translate(cell, field)))
            }
            rows.append(["row": .int(Int64(reader.row)), "values": .array(values)])
            if skipInvalid != nil { originals[reader.row] = record }
        }
        return (rows, originals)
    }

    func json(_ refusal: Refusal) -> JSONValue {
        ["row": .int(Int64(refusal.row)), "column": .string(refusal.column), "message": .string(refusal.message)]
    }

    func writeRejects(_ refusals: [Refusal], header: [String], to path: String) throws {
        var writer = CSVWriter()
        writer.append(header + ["error"])
        for refusal in refusals {
            writer.append(refusal.original + ["column \(refusal.column): \(refusal.message)"])
        }
        try writePrivateFile(path, writer.take())
    }
}

/// The file's header against a mapping: which column gives which field.
struct ColumnLayout {
    let header: [String]
    /// The fields the rows carry, in the order of their columns, and those columns.
    let fields: [CaseImportField]
    let positions: [Int]
    let valueMaps: [CaseImportField: [String: String]]

    init(header: [String], mapping: ImportMapping, file: String) throws(CommandFailure) {
        var columnOf: [CaseImportField: Int] = [:]
        var unknown: [String] = []
        for (position, name) in header.enumerated() {
            let key = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard let entry = mapping.columns[key] else {
                unknown.append(name)
                continue
            }
            guard let field = entry else { continue }
            if let other = columnOf[field] {
                throw CommandFailure(code: .daemonError, message: "\(file): columns '\(header[other])' and '\(name)' both map to \(field.rawValue); map one of them to \"ignore\"")
            }
            columnOf[field] = position
        }
        guard unknown.isEmpty else {
            throw CommandFailure(code: .daemonError, message: "\(file): \(unknown.count == 1 ? "column" : "columns") \(unknown.map { "'\($0)'" }.joined(separator: ", ")) "
                                 + "\(unknown.count == 1 ? "is" : "are") not in the mapping (\(mapping.origin)); under [columns], map each to a field "
                                 + "or to \"ignore\", e.g. \(Self.tomlKey(unknown[0])) = \"ignore\"")
        }
        let missing = CaseImportField.required.filter { columnOf[$0] == nil }
        guard missing.isEmpty else {
            throw CommandFailure(code: .daemonError, message: "\(file): no column gives \(missing.map(\.rawValue).joined(separator: ", ")), which every row needs; "
                                 + "map a column to \(missing.count == 1 ? "it" : "each") (mapping: \(mapping.origin))")
        }
        let ordered = columnOf.sorted { $0.value < $1.value }
        self.header = header
        fields = ordered.map(\.key)
        positions = ordered.map(\.value)
        valueMaps = mapping.values
    }

    /// The cell as the field's value: translated when the mapping lists it for that field.
    func translate(_ cell: String, _ field: CaseImportField) -> String {
        guard let map = valueMaps[field] else { return cell }
        return map[cell.trimmingCharacters(in: .whitespaces).lowercased()] ?? cell
    }

    /// The file's column for a field kawald named.
    func column(for field: String) -> String {
        guard let known = CaseImportField(rawValue: field), let position = fields.firstIndex(of: known) else { return field }
        return header[positions[position]]
    }

    static func tomlKey(_ header: String) -> String {
        header.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) && !header.isEmpty
            ? header : "\"" + header.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Writes personal data for the administrator only (mode 0600), replacing the file whole.
func writePrivateFile(_ path: String, _ bytes: [UInt8]) throws {
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw CommandFailure(code: .daemonError, message: "cannot write \(path): \(String(cString: strerror(errno)))") }
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(temporary)
            throw CommandFailure(code: .daemonError, message: "cannot write \(path): \(reason)")
        }
        offset += written
    }
    close(fd)
    guard rename(temporary, path) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw CommandFailure(code: .daemonError, message: "cannot write \(path): \(reason)")
    }
}
