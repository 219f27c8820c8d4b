/// age's ASCII armor (`age -a`): the binary file in strict PEM. Base64 with padding, canonical, in
/// lines of exactly 64 columns but the last (1 to 64), between the BEGIN and END lines, each line
/// ending in LF or CRLF; whitespace only before BEGIN and after END, no PEM headers, no checksum.
///
/// ```swift
/// let binary = try AgeArmor.decode(Array(text.utf8))
/// let reader = try AgeReader(input: AgeInput(bytes: binary), identities: [identity])
/// ```
public enum AgeArmor {
    public static let beginLine = Array("-----BEGIN AGE ENCRYPTED FILE-----".utf8)
    public static let endLine = Array("-----END AGE ENCRYPTED FILE-----".utf8)
    static let columns = 64

    /// Whether `bytes` (the start of a file) is armored rather than binary.
    public static func isArmored<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        let trimmed = bytes.drop(while: isWhitespace)
        return trimmed.starts(with: beginLine.prefix(min(trimmed.count, beginLine.count))) && !trimmed.isEmpty
    }

    public static func decode(_ armored: [UInt8]) throws(AgeError) -> [UInt8] {
        var text = armored[...].drop(while: isWhitespace)
        while let last = text.last, isWhitespace(last) { text = text.dropLast() }
        var lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
        guard lines.first.map({ Array($0) == beginLine }) == true else {
            throw .armorInvalid("the first line is not \(String(decoding: beginLine, as: UTF8.self))")
        }
        guard lines.count >= 2, Array(lines.removeLast()) == endLine else {
            throw .armorInvalid("the last line is not \(String(decoding: endLine, as: UTF8.self))")
        }
        lines.removeFirst()
        var encoded: [UInt8] = []
        for (index, line) in lines.enumerated() {
            let number = index + 2
            let isLast = index == lines.count - 1
            guard line.count <= columns else { throw .armorInvalid("line \(number) is longer than \(columns) columns") }
            guard isLast ? !line.isEmpty : line.count == columns else {
                throw .armorInvalid("line \(number) has \(line.count) columns: every line but the last has \(columns), the last 1 to \(columns)")
            }
            guard isLast || !line.contains(UInt8(ascii: "=")) else { throw .armorInvalid("padding before the last line (line \(number))") }
            encoded += line
        }
        return try decodePadded(encoded)
    }

    /// Standard base64 with its `=` padding, canonical.
    static func decodePadded(_ text: [UInt8]) throws(AgeError) -> [UInt8] {
        guard text.count % 4 == 0 else { throw .armorInvalid("the base64 text is not padded to a multiple of 4 characters") }
        let padding = text.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2 else { throw .armorInvalid("more than two '=' of padding") }
        guard let bytes = AgeBase64.decode(text.dropLast(padding)) else {
            throw .armorInvalid("the base64 text has a character outside the standard alphabet, misplaced padding, or is not canonical")
        }
        return bytes
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}
