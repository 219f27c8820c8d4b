import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The idempotency keys of the jobs this plugin has handed over, so that a job offered again
/// (kawald delivers at least once) is dropped instead of sent twice.
///
/// With a file, the keys survive a restart of the plugin: one key per line, appended and synced
/// after each hand-over, rewritten to the newest `capacity` keys when it has grown to twice that.
/// Without one, they are kept in memory only (the newest `capacity`). A crash between the
/// hand-over and the write still repeats that one message: delivery stays at least once.
///
/// ```swift
/// let keys = try DeliveredKeys(path: "/var/lib/kawal/notify-email/delivered-keys")
/// if !keys.contains(job.idempotencyKey) { send(); try keys.insert(job.idempotencyKey) }
/// ```
public final class DeliveredKeys: @unchecked Sendable {
    public let path: String?
    public let capacity: Int
    private let lock = NSLock()
    private var order: [String] = []
    private var members: Set<String> = []
    private var linesInFile = 0

    public init(path: String?, capacity: Int = 10_000) throws {
        self.path = path
        self.capacity = max(1, capacity)
        guard let path else { return }
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let lines = text.split(separator: "\n").map(String.init)
            linesInFile = lines.count
            for key in lines.suffix(self.capacity) { remember(key) }
        } else if FileManager.default.fileExists(atPath: path) {
            throw DeliveryFailure.permanent("cannot read the delivered keys in \(path)")
        }
    }

    public func contains(_ key: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return members.contains(key)
    }

    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return members.count
    }

    /// Remembers a key as delivered (and writes it down, with a file).
    public func insert(_ key: String) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !members.contains(key) else { return }
        remember(key)
        guard let path else { return }
        if linesInFile + 1 >= 2 * capacity {
            try rewrite(path)
        } else {
            try append(key + "\n", to: path)
            linesInFile += 1
        }
    }

    private func remember(_ key: String) {
        guard members.insert(key).inserted else { return }
        order.append(key)
        if order.count > capacity {
            let dropped = order.count - capacity
            for old in order.prefix(dropped) { members.remove(old) }
            order.removeFirst(dropped)
        }
    }

    private func append(_ line: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DeliveryFailure.permanent("cannot write the delivered keys to \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw DeliveryFailure.permanent("cannot write the delivered keys to \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Keeps only the newest keys: written to a temporary file, then renamed over the old one.
    private func rewrite(_ path: String) throws {
        let temporary = path + ".new"
        unlink(temporary)
        try append(order.joined(separator: "\n") + "\n", to: temporary)
        guard rename(temporary, path) == 0 else {
            throw DeliveryFailure.permanent("cannot replace \(path): \(String(cString: strerror(errno)))")
        }
        linesInFile = order.count
    }
}
