import Foundation

/// Where zones come from: the tzdata directory. The only part of this module that reads files.
public struct ZoneDatabase: Sendable {
    public var directory: String

    public init(directory: String = "/usr/share/zoneinfo") {
        self.directory = directory
    }

    public static let system = ZoneDatabase()

    /// A zone named in a calendar expression (`Asia/Makassar`), accepted on systemd's terms
    /// (`timezone_is_valid`): letters, digits, `-`, `_`, `+` and single inner slashes, naming a
    /// regular TZif file in the tzdata directory. Nil for anything else.
    public func zone(named name: String) -> ZoneInfo? {
        guard Self.isPlausibleName(name) else { return nil }
        return load(path: directory + "/" + name, identifier: name)
    }

    /// The zone a `TZ` value selects, as glibc's `tzset` reads it: unset means `/etc/localtime`,
    /// empty means UTC, a leading `:` is dropped, a name is looked up as a file (relative to the
    /// tzdata directory) and, failing that, read as a POSIX rule string (`CET-1CEST,M3.5.0,M10.5.0/3`).
    public func zone(forTZ value: String?) -> ZoneInfo {
        guard var value else {
            return load(path: "/etc/localtime", identifier: "localtime") ?? .utc
        }
        if value.isEmpty { value = "Universal" }
        if value.hasPrefix(":") { value.removeFirst() }
        let path = value.hasPrefix("/") ? value : directory + "/" + value
        if let zone = load(path: path, identifier: value) { return zone }
        return ZoneInfo(posixRule: value)
    }

    static func isPlausibleName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.hasSuffix("/"), !name.contains("//") else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
        }
    }

    private func load(path: String, identifier: String) -> ZoneInfo? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        return ZoneInfo(identifier: identifier, tzif: [UInt8](data))
    }
}
