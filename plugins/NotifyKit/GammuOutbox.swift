import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes messages straight into the outbox folder of gammu-smsd's files backend (gammu-smsd-files(7)).
///
/// File name: `OUT<priority><YYYYMMDD>_<HHMMSS>_<serial>_<number>_<note>.txt`; gammu-smsd sends the
/// outbox in name order, so the priority letter (A first) and the time order the queue. The note
/// is the message id (letters, digits and '-'), so a message already queued is found again. The
/// content is UTF-16 with a byte-order mark: gammu reads such a file as Unicode whatever the
/// locale of the daemon, and splits it into parts itself. A file appears whole: it is written
/// under a name gammu ignores (not starting with OUT), synced, then renamed.
///
/// ```swift
/// let outbox = GammuOutbox(folder: "/var/spool/gammu/outbox")
/// let path = try outbox.enqueue(text: sms.text, to: "+6281234567890", messageID: "r-1842", priority: "C", date: Date())
/// ```
public struct GammuOutbox: Sendable {
    public let folder: String

    public init(folder: String) {
        self.folder = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
    }

    /// The note part of the name for a message id.
    public static func note(for messageID: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
        return String(messageID.map { allowed.contains($0) ? $0 : "-" }.prefix(60))
    }

    public static func fileName(number: String, messageID: String, priority: Character, date: Date, serial: Int = 0) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let stamp = String(format: "%04d%02d%02d_%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        return "OUT\(priority)\(stamp)_\(String(format: "%02d", serial))_\(number)_\(note(for: messageID)).txt"
    }

    /// UTF-16 big-endian with its byte-order mark.
    public static func content(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = [0xFE, 0xFF]
        for unit in text.utf16 {
            bytes.append(UInt8(unit >> 8))
            bytes.append(UInt8(unit & 0xFF))
        }
        return bytes
    }

    /// The queued file for this message id, if one is still in the outbox.
    public func queued(messageID: String) -> String? {
        let suffix = "_" + Self.note(for: messageID) + ".txt"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.first { $0.hasPrefix("OUT") && $0.hasSuffix(suffix) }.map { folder + "/" + $0 }
    }

    /// Writes the message and returns its path.
    @discardableResult
    public func enqueue(text: String, to number: String, messageID: String, priority: Character, date: Date) throws(DeliveryFailure) -> String {
        let name = Self.fileName(number: number, messageID: messageID, priority: priority, date: date)
        let temporary = folder + "/.kawal-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            // A missing or unwritable outbox may be fixed by the administrator: try again later.
            throw .temporary("cannot write into the gammu outbox \(folder): \(reason)")
        }
        // gammu-smsd (another user, in the outbox folder's group) must read it and move it on: the
        // plugin unit's UMask=0077 must not make it 0600.
        _ = fchmod(fd, 0o640)
        let bytes = Self.content(text)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else {
            unlink(temporary)
            throw .temporary("cannot write into the gammu outbox \(folder): short write")
        }
        guard rename(temporary, folder + "/" + name) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .temporary("cannot move the message into the gammu outbox \(folder): \(reason)")
        }
        return folder + "/" + name
    }
}
