import Foundation
import KawalTesting
import Testing
@testable import KawalCore

/// The journal catalogue and the code name the same events: every `KawalMessageID` has its entry in
/// `packaging/catalog/kawal.catalog`, every entry's id is one the code logs, and no log line carries a
/// `MESSAGE_ID=` that did not come from `KawalMessageID`.
@Suite struct MessageCatalogTests {
    static let root = SourceTree.root

    /// `-- ID` and the lines up to the next entry.
    static func catalogEntries() throws -> [(id: String, lines: [String])] {
        let text = try String(contentsOf: root.appendingPathComponent("packaging/catalog/kawal.catalog"), encoding: .utf8)
        var entries: [(id: String, lines: [String])] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) where !line.hasPrefix("#") {
            if line.hasPrefix("-- ") {
                entries.append((String(line.dropFirst(3)), []))
            } else if !entries.isEmpty {
                entries[entries.count - 1].lines.append(line)
            }
        }
        return entries
    }

    /// The Swift files of kawald, kawalctl and the plugins, without `MessageID.swift`, comments dropped.
    static func codeLines() throws -> [(file: String, line: String)] {
        var result: [(file: String, line: String)] = []
        for folder in ["Sources", "plugins"] {
            let base = root.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") && file != "KawalCore/MessageID.swift" {
                let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let code = line.trimmingCharacters(in: .whitespaces)
                    if !code.hasPrefix("//") { result.append((folder + "/" + file, code)) }
                }
            }
        }
        return result
    }

    /// `public static let NAME = KawalMessageID(id: "…")` in MessageID.swift.
    static func declaredNames() throws -> [String: String] {
        let text = try String(contentsOf: root.appendingPathComponent("Sources/KawalCore/MessageID.swift"), encoding: .utf8)
        var names: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard parts.count == 7, parts[0] == "public", parts[1] == "static", parts[2] == "let", parts[4] == "=",
                  parts[5] == "KawalMessageID(id:" else { continue }
            names[String(parts[3])] = String(line.split(separator: "\"")[1])
        }
        return names
    }

    @Test func theCatalogueHasAnEntryForEachIDAndNoOther() throws {
        let catalogued = try Self.catalogEntries().map(\.id)
        #expect(catalogued.count == Set(catalogued).count, "an id is catalogued twice")
        #expect(Set(catalogued) == Set(KawalMessageID.all.map(\.id)))
        #expect(KawalMessageID.all.count == Set(KawalMessageID.all).count)
        for id in KawalMessageID.all.map(\.id) {
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(id) is not an id as journalctl --new-id128 prints it")
        }
    }

    @Test func everyDeclaredIDIsInAll() throws {
        let declared = try Self.declaredNames()
        #expect(declared.count == KawalMessageID.all.count)
        #expect(Set(declared.values) == Set(KawalMessageID.all.map(\.id)))
    }

    @Test func eachEntryHasASubjectItsHeadersAndAnExplanation() throws {
        for entry in try Self.catalogEntries() {
            let headers = entry.lines.prefix { !$0.isEmpty }
            #expect(headers.contains { $0.hasPrefix("Subject: Kawal ") }, "\(entry.id) has no subject")
            #expect(headers.contains("Defined-By: kawal"), "\(entry.id) is not defined by kawal")
            #expect(headers.contains { $0.hasPrefix("Support: ") }, "\(entry.id) has no support link")
            #expect(headers.allSatisfy { $0.contains(": ") }, "\(entry.id): the explanation must follow the headers after an empty line")
            #expect(entry.lines.dropFirst(headers.count + 1).contains { !$0.isEmpty }, "\(entry.id) has no explanation")
        }
    }

    @Test func everyCataloguedEventIsLogged() throws {
        let code = try Self.codeLines()
        for name in try Self.declaredNames().keys.sorted() {
            #expect(code.contains { $0.line.contains("KawalMessageID.\(name).metadata") }, "KawalMessageID.\(name) is catalogued but never logged")
        }
    }

    /// A `MESSAGE_ID=` can only come from a catalogued `KawalMessageID`: no code spells the metadata key
    /// or an id of its own.
    @Test func noMessageIDIsLoggedAroundTheCatalogue() throws {
        let hexRun = try Regex("[0-9a-fA-F]{32}")
        for (file, line) in try Self.codeLines() {
            #expect(!line.contains("KawalMessageID.metadataKey"), "\(file): log a KawalMessageID with its .metadata, not its key: \(line)")
            #expect(!line.contains("\"\(KawalMessageID.metadataKey)\"") || !line.contains("metadata"), "\(file): a message id outside the catalogue: \(line)")
            #expect(line.firstMatch(of: hexRun) == nil, "\(file): a 32-digit id outside KawalMessageID: \(line)")
        }
    }
}
