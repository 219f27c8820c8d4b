import KawalCalendar
import KawalCore
import KawalStore
import Varlink
import Logging
import TOMLKit
#if canImport(Glibc)
import Glibc
#endif

/// Reads typed values out of TOML tables and reports problems with the line they are on.
struct TableReader {
    let file: String
    let lines: [Substring]

    init(file: String, text: String) {
        self.file = file
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func error(_ table: String, _ key: String, _ message: String) -> ConfigurationError {
        ConfigurationError(file: file, line: line(of: key, in: table), key: key.isEmpty ? table : "\(table).\(key)", message: message)
    }

    /// The line where `key` is set inside `[table]` (or the table header itself for an empty key).
    func line(of key: String, in table: String) -> Int {
        var current = ""
        for (index, raw) in lines.enumerated() {
            let line = raw.drop(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("[") {
                let name = line.dropFirst().prefix(while: { $0 != "]" }).trimmingCharacters(in: " \t[")
                current = name
                if key.isEmpty && name == table { return index + 1 }
                continue
            }
            let name = line.prefix(while: { $0 != "=" }).trimmingCharacters(in: " \t\"")
            if current == table && name == key { return index + 1 }
            if current.isEmpty && name == "\(table).\(key)" { return index + 1 }
        }
        return 1
    }

    func checkTables(_ root: TOMLTable, known: [String]) throws(ConfigurationError) {
        for key in root.keys.sorted() where !known.contains(key) {
            throw ConfigurationError(file: file, line: line(of: "", in: key), key: key,
                                     message: "unknown section: expected one of \(known.map { "[\($0)]" }.joined(separator: ", "))")
        }
    }

    func table(_ root: TOMLTable, _ name: String, key: String? = nil, known: [String]) throws(ConfigurationError) -> TOMLTable? {
        guard let value = root[key ?? name] else { return nil }
        guard let table = value.table else { throw error(name, "", "expected a table ([\(name)])") }
        for key in table.keys.sorted() where !known.contains(key) {
            throw error(name, key, "unknown key: expected one of \(known.joined(separator: ", "))")
        }
        return table
    }

    func string(_ table: TOMLTable, _ tableName: String, _ key: String) throws(ConfigurationError) -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.string else { throw error(tableName, key, "expected a string in quotes, found \(value.type)") }
        return string
    }

    func path(_ table: TOMLTable, _ tableName: String, _ key: String) throws(ConfigurationError) -> String? {
        guard let value = try string(table, tableName, key) else { return nil }
        guard value.hasPrefix("/") else { throw error(tableName, key, "'\(value)' is relative: expected an absolute path") }
        return value
    }

    func duration(_ table: TOMLTable, _ tableName: String, _ key: String) throws(ConfigurationError) -> Double? {
        guard let text = try string(table, tableName, key) else { return nil }
        guard let seconds = TimeContext.duration(text), seconds > 0 else {
            throw error(tableName, key, "'\(text)' is not a duration: expected a number followed by s, m, h, d or w (e.g. \"30s\", \"7d\")")
        }
        return seconds
    }

    func strings(_ table: TOMLTable, _ tableName: String, _ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else { throw error(tableName, key, "expected a list of strings like [\"--verbose\"]") }
        var result: [String] = []
        for element in array {
            guard let string = element.string else { throw error(tableName, key, "expected a list of strings like [\"--verbose\"]") }
            result.append(string)
        }
        return result
    }

    func stringTable(_ table: TOMLTable, _ tableName: String, _ key: String) throws(ConfigurationError) -> [String: String]? {
        guard let value = table[key] else { return nil }
        guard let inner = value.table else { throw error(tableName, key, "expected a table of strings like { LANG = \"id_ID.UTF-8\" }") }
        var result: [String: String] = [:]
        for name in inner.keys {
            guard let string = inner[name]?.string else { throw error(tableName, key, "'\(name)' must be a string") }
            result[name] = string
        }
        return result
    }

    func int(_ table: TOMLTable, _ tableName: String, _ key: String) throws(ConfigurationError) -> Int? {
        guard let value = table[key] else { return nil }
        guard let int = value.int else { throw error(tableName, key, "expected an integer, found \(value.type)") }
        return int
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        return String(drop(while: { characters.contains($0) }).reversed().drop(while: { characters.contains($0) }).reversed())
    }
}
