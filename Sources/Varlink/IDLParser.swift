/// Where and why an interface description is not valid varlink IDL.
public struct VarlinkIDLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String

    public var description: String { "\(line):\(column): \(reason)" }
}

extension VarlinkInterface {
    /// Parses an interface description in the varlink IDL (https://varlink.org/Interface-Definition).
    public init(parsing text: String) throws(VarlinkIDLError) {
        var parser = IDLParser(text: text)
        self = try parser.parseInterface()
    }
}

/// A recursive-descent parser for the varlink IDL. Comments (`#` to the end of the line) count as
/// whitespace, except that those right above a declaration become its documentation.
struct IDLParser {
    let text: String
    let scalars: [Unicode.Scalar]
    var index = 0
    var line = 1
    var column = 1
    var pendingDocumentation: [String] = []

    init(text: String) {
        self.text = text
        self.scalars = Array(text.unicodeScalars)
    }

    func error(_ reason: String) -> VarlinkIDLError {
        VarlinkIDLError(line: line, column: column, reason: reason)
    }

    var atEnd: Bool { index >= scalars.count }
    var current: Unicode.Scalar? { atEnd ? nil : scalars[index] }

    mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    /// Skips blanks, newlines and comments. Returns whether a line ended on the way.
    /// Comments are kept as documentation for the next declaration; a blank line between
    /// a comment and its declaration detaches the comment.
    @discardableResult
    mutating func skipSpace() -> Bool {
        var sawNewline = false
        var newlinesSinceComment = 0
        while let c = current {
            switch c {
            case " ", "\t", "\r":
                advance()
            case "\n":
                sawNewline = true
                newlinesSinceComment += 1
                if newlinesSinceComment > 1 { pendingDocumentation.removeAll() }
                advance()
            case "#":
                advance()
                var comment = ""
                while let c = current, c != "\n" {
                    comment.unicodeScalars.append(c)
                    advance()
                }
                pendingDocumentation.append(comment.hasPrefix(" ") ? String(comment.dropFirst()) : comment)
                newlinesSinceComment = 0
            default:
                return sawNewline
            }
        }
        return true
    }

    /// Skips blanks and tabs only: within a declaration's head, before its parameters.
    mutating func skipBlanks() {
        while let c = current, c == " " || c == "\t" { advance() }
    }

    mutating func takeDocumentation() -> String {
        defer { pendingDocumentation.removeAll() }
        return pendingDocumentation.joined(separator: "\n")
    }

    mutating func expect(_ literal: String) throws(VarlinkIDLError) {
        for expected in literal.unicodeScalars {
            guard current == expected else { throw error("expected '\(literal)'") }
            advance()
        }
    }

    func peek(_ literal: String) -> Bool {
        var i = index
        for expected in literal.unicodeScalars {
            guard i < scalars.count, scalars[i] == expected else { return false }
            i += 1
        }
        return true
    }

    static func isLetter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    /// A run of letters, digits, `_`, `-` and `.`; the callers check the finer rules.
    mutating func word() -> String {
        var result = ""
        while let c = current, Self.isLetter(c) || Self.isDigit(c) || c == "_" || c == "-" || c == "." {
            result.unicodeScalars.append(c)
            advance()
        }
        return result
    }

    mutating func parseInterface() throws(VarlinkIDLError) -> VarlinkInterface {
        skipSpace()
        let documentation = takeDocumentation()
        guard peek("interface") else { throw error("an interface description starts with 'interface NAME'") }
        try expect("interface")
        guard current == " " || current == "\t" else { throw error("expected a space after 'interface'") }
        skipBlanks()
        let (nameLine, nameColumn) = (line, column)
        let name = word()
        guard Self.isValidInterfaceName(name) else {
            throw VarlinkIDLError(line: nameLine, column: nameColumn,
                                  reason: "invalid interface name '\(name)': expected a reverse-domain name like 'org.example.service'")
        }
        var interface = VarlinkInterface(name: name, documentation: documentation, description: text,
                                         types: [:], methods: [:], errors: [:], memberOrder: [])
        guard skipSpace() else { throw error("expected the end of the line after the interface name") }
        while !atEnd {
            let documentation = takeDocumentation()
            let (memberLine, memberColumn) = (line, column)
            let keyword = word()
            guard keyword == "type" || keyword == "method" || keyword == "error" else {
                throw VarlinkIDLError(line: memberLine, column: memberColumn,
                                      reason: "expected 'type', 'method' or 'error', found '\(keyword.isEmpty ? String(current.map { Character($0) } ?? " ") : keyword)'")
            }
            guard current == " " || current == "\t" else { throw error("expected a space after '\(keyword)'") }
            skipBlanks()
            let (nameLine, nameColumn) = (line, column)
            let memberName = word()
            guard Self.isValidMemberName(memberName) else {
                throw VarlinkIDLError(line: nameLine, column: nameColumn,
                                      reason: "invalid \(keyword) name '\(memberName)': expected a capital letter, then letters and digits")
            }
            guard !interface.memberOrder.contains(memberName) else {
                throw VarlinkIDLError(line: nameLine, column: nameColumn, reason: "'\(memberName)' is declared twice")
            }
            skipSpace()
            switch keyword {
            case "type":
                let type = try parseStructOrEnum()
                interface.types[memberName] = .init(name: memberName, type: type, documentation: documentation)
            case "method":
                let input = try parseStruct(context: "method parameters")
                skipSpace()
                try expect("->")
                skipSpace()
                let output = try parseStruct(context: "method results")
                interface.methods[memberName] = .init(name: memberName, input: input, output: output, documentation: documentation)
            default:
                let parameters = try parseStruct(context: "error parameters")
                interface.errors[memberName] = .init(name: memberName, parameters: parameters, documentation: documentation)
            }
            interface.memberOrder.append(memberName)
            pendingDocumentation.removeAll()
            guard skipSpace() else { throw error("expected the end of the line after the declaration of '\(memberName)'") }
        }
        guard !interface.memberOrder.isEmpty else { throw error("an interface declares at least one type, method or error") }
        try checkReferences(interface)
        return interface
    }

    /// `( ... )` after `type Name`: a struct if the first entry has a `:`, an enum otherwise.
    mutating func parseStructOrEnum() throws(VarlinkIDLError) -> VarlinkType {
        guard current == "(" else { throw error("expected '(' to start a struct or an enum") }
        var probe = self
        probe.advance()
        probe.skipSpace()
        if probe.current == ")" { return .structure(try parseStruct(context: "struct")) }
        _ = probe.word()
        probe.skipSpace()
        if probe.current == ":" { return .structure(try parseStruct(context: "struct")) }
        return .enumeration(try parseEnum())
    }

    mutating func parseStruct(context: String) throws(VarlinkIDLError) -> VarlinkStruct {
        guard current == "(" else { throw error("expected '(' to start the \(context)") }
        advance()
        var fields: [VarlinkStruct.Field] = []
        skipSpace()
        if current == ")" {
            advance()
            return VarlinkStruct(fields: [])
        }
        while true {
            skipSpace()
            let (fieldLine, fieldColumn) = (line, column)
            let name = word()
            guard Self.isValidFieldName(name) else {
                throw VarlinkIDLError(line: fieldLine, column: fieldColumn,
                                      reason: name.isEmpty ? "expected a field name" : "invalid field name '\(name)': expected a letter, then letters, digits and single underscores")
            }
            guard !fields.contains(where: { $0.name == name }) else {
                throw VarlinkIDLError(line: fieldLine, column: fieldColumn, reason: "field '\(name)' appears twice")
            }
            skipSpace()
            guard current == ":" else { throw error("expected ':' after field '\(name)'") }
            advance()
            skipSpace()
            let type = try parseType()
            fields.append(.init(name: name, type: type))
            skipSpace()
            if current == "," {
                advance()
                continue
            }
            guard current == ")" else { throw error("expected ',' or ')' after field '\(name)'") }
            advance()
            return VarlinkStruct(fields: fields)
        }
    }

    mutating func parseEnum() throws(VarlinkIDLError) -> [String] {
        advance()
        var cases: [String] = []
        while true {
            skipSpace()
            let (caseLine, caseColumn) = (line, column)
            let name = word()
            guard Self.isValidFieldName(name) else {
                throw VarlinkIDLError(line: caseLine, column: caseColumn,
                                      reason: name.isEmpty ? "expected an enum value" : "invalid enum value '\(name)'")
            }
            guard !cases.contains(name) else {
                throw VarlinkIDLError(line: caseLine, column: caseColumn, reason: "enum value '\(name)' appears twice")
            }
            cases.append(name)
            skipSpace()
            if current == "," {
                advance()
                continue
            }
            guard current == ")" else { throw error("expected ',' or ')' after enum value '\(name)'") }
            advance()
            return cases
        }
    }

    mutating func parseType() throws(VarlinkIDLError) -> VarlinkType {
        if current == "?" {
            advance()
            guard current != "?" else { throw error("'??' is not a type: a value is optional once") }
            return .optional(try parseNonOptionalType())
        }
        return try parseNonOptionalType()
    }

    mutating func parseNonOptionalType() throws(VarlinkIDLError) -> VarlinkType {
        if peek("[]") {
            advance(); advance()
            return .array(try parseType())
        }
        if peek("[string]") {
            for _ in 0..<8 { advance() }
            return .dictionary(try parseType())
        }
        if current == "[" { throw error("expected '[]' (array) or '[string]' (map)") }
        if current == "(" { return try parseStructOrEnum() }
        let (typeLine, typeColumn) = (line, column)
        let name = word()
        switch name {
        case "bool": return .bool
        case "int": return .int
        case "float": return .float
        case "string": return .string
        case "object": return .object
        case "": throw error("expected a type")
        default:
            guard Self.isValidMemberName(name) else {
                throw VarlinkIDLError(line: typeLine, column: typeColumn,
                                      reason: "unknown type '\(name)': expected bool, int, float, string, object, a declared type name, '[]', '[string]', '?' or '('")
            }
            return .named(name)
        }
    }

    /// Every named type used must be declared in the same interface.
    func checkReferences(_ interface: VarlinkInterface) throws(VarlinkIDLError) {
        func check(_ type: VarlinkType, in member: String) throws(VarlinkIDLError) {
            switch type {
            case .named(let name):
                guard interface.types[name] != nil else {
                    throw VarlinkIDLError(line: lineOf(member), column: 1, reason: "'\(member)' uses type '\(name)', which is not declared in this interface")
                }
            case .optional(let t), .array(let t), .dictionary(let t): try check(t, in: member)
            case .structure(let s): for field in s.fields { try check(field.type, in: member) }
            default: break
            }
        }
        for alias in interface.types.values { try check(alias.type, in: alias.name) }
        for method in interface.methods.values {
            try check(.structure(method.input), in: method.name)
            try check(.structure(method.output), in: method.name)
        }
        for error in interface.errors.values { try check(.structure(error.parameters), in: error.name) }
    }

    /// The line of a member's declaration, for errors found after parsing.
    func lineOf(_ member: String) -> Int {
        var number = 1
        for lineText in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = lineText.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "(" })
            if words.count >= 2, ["type", "method", "error"].contains(words[0]), words[1] == member { return number }
            number += 1
        }
        return 1
    }

    /// `org.example.service`: two or more dot-separated labels of letters, digits and inner dashes,
    /// the first starting with a letter.
    static func isValidInterfaceName(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let first = labels.first?.unicodeScalars.first, isLetter(first) else { return false }
        return labels.allSatisfy { label in
            let s = Array(label.unicodeScalars)
            guard let head = s.first, let tail = s.last, isLetter(head) || isDigit(head), isLetter(tail) || isDigit(tail) else { return false }
            return s.allSatisfy { isLetter($0) || isDigit($0) || $0 == "-" }
        }
    }

    /// `Ping`, `GetInfo`: a capital letter, then letters and digits.
    static func isValidMemberName(_ name: String) -> Bool {
        let s = Array(name.unicodeScalars)
        guard let head = s.first, ("A"..."Z").contains(head) else { return false }
        return s.allSatisfy { isLetter($0) || isDigit($0) }
    }

    /// `client_id`: a letter, then letters, digits and single underscores (not at the end).
    static func isValidFieldName(_ name: String) -> Bool {
        let s = Array(name.unicodeScalars)
        guard let head = s.first, isLetter(head), s.last != "_" else { return false }
        var previousUnderscore = false
        for c in s {
            if c == "_" {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else {
                guard isLetter(c) || isDigit(c) else { return false }
                previousUnderscore = false
            }
        }
        return true
    }
}
