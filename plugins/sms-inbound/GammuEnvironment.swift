import Foundation
import KawalContracts

/// The messages of one RunOnReceive run, from the environment gammu-smsd sets (gammu-smsd-run(7)):
/// `SMS_MESSAGES` physical messages with `SMS_n_NUMBER` and `SMS_n_TEXT`, and, for a message in
/// several parts, its whole text in `DECODED_1_TEXT`.
enum GammuEnvironment {
    static func messages(_ environment: [String: String], ids: [String]) -> [InboundMessage] {
        guard let count = environment["SMS_MESSAGES"].flatMap(Int.init), count > 0 else { return [] }
        let numbers = (1...min(count, 50)).map { environment["SMS_\($0)_NUMBER"] ?? "" }
        if let whole = environment["DECODED_1_TEXT"], !whole.isEmpty, let sender = numbers.first, !sender.isEmpty {
            // One message in `count` parts: its first part's id is the message's id.
            return [InboundMessage(channel: "sms", sender: sender, text: whole, gatewayID: ids.first.map(gatewayID), receivedAt: nil)]
        }
        return (1...min(count, 50)).compactMap { index in
            let sender = numbers[index - 1]
            guard !sender.isEmpty, let text = environment["SMS_\(index)_TEXT"] else { return nil }
            let id = index <= ids.count ? gatewayID(ids[index - 1]) : nil
            return InboundMessage(channel: "sms", sender: sender, text: text, gatewayID: id, receivedAt: nil)
        }
    }

    /// The id kawald deduplicates on: gammu's id (the inbox file name for the files backend).
    static func gatewayID(_ id: String) -> String { "gammu:" + (id.split(separator: "/").last.map(String.init) ?? id) }
}

/// The files backend's inbox: `IN<date>_<time>_<serial>_<sender>_<part>.txt`, one file per part,
/// in the format of `inboxformat` (unicode: UTF-16 with a byte-order mark; else UTF-8).
enum GammuInbox {
    static func messages(in folder: String) throws -> [InboundMessage] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("IN") && $0.hasSuffix(".txt") }.sorted()
        // Parts of one message share everything but the part number.
        var groups: [(key: String, names: [String])] = []
        for name in names {
            let stem = String(name.dropLast(4))
            guard let cut = stem.lastIndex(of: "_") else { continue }
            let key = String(stem[..<cut])
            if let last = groups.last, last.key == key { groups[groups.count - 1].names.append(name) } else { groups.append((key, [name])) }
        }
        return groups.compactMap { group -> InboundMessage? in
            let fields = group.key.split(separator: "_")
            guard fields.count >= 4 else { return nil }
            let sender = fields[3...].joined(separator: "_")
            let body = group.names.compactMap { Self.text(of: folder + "/" + $0) }.joined()
            return InboundMessage(channel: "sms", sender: sender, text: body, gatewayID: GammuEnvironment.gatewayID(group.names[0]), receivedAt: nil)
        }
    }

    static func text(of path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        if data.starts(with: [0xFF, 0xFE]) { return String(data: data.dropFirst(2), encoding: .utf16LittleEndian) }
        if data.starts(with: [0xFE, 0xFF]) { return String(data: data.dropFirst(2), encoding: .utf16BigEndian) }
        return String(data: data, encoding: .utf8)
    }
}
