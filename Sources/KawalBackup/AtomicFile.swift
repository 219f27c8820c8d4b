import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file that appears under its name complete or not at all: written to a temporary name in the
/// same folder, synced, renamed, and the folder synced. A crash leaves only a `.tmp-…` file.
///
/// ```swift
/// let file = try AtomicFile(path: "/var/lib/kawal/backups/x.json", mode: 0o640)
/// try file.write(bytes)
/// try file.commit()
/// ```
public final class AtomicFile {
    public let path: String
    public let temporaryPath: String
    private var fd: CInt
    public private(set) var bytesWritten: Int64 = 0

    public init(path: String, mode: mode_t = 0o640) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        temporaryPath = directory + "/" + BackupNaming.temporaryPrefix + name + "-\(getpid())"
        unlink(temporaryPath)
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw AtomicFileError(operation: "create", path: temporaryPath, errno: errno) }
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporaryPath)
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw AtomicFileError(operation: "write", path: temporaryPath, errno: errno)
            }
            offset += count
        }
        bytesWritten += Int64(bytes.count)
    }

    public func write(_ data: Data) throws { try data.withUnsafeBytes { try write($0) } }

    /// Gives the file to `uid`/`gid` (root restoring for kawald's user).
    public func changeOwner(uid: uid_t, gid: gid_t) throws {
        guard fchown(fd, uid, gid) == 0 else { throw AtomicFileError(operation: "chown", path: temporaryPath, errno: errno) }
    }

    /// Syncs the data, renames it into place and syncs the folder.
    public func commit() throws {
        guard fsync(fd) == 0 else { throw AtomicFileError(operation: "fsync", path: temporaryPath, errno: errno) }
        close(fd)
        fd = -1
        guard rename(temporaryPath, path) == 0 else {
            let code = errno
            unlink(temporaryPath)
            throw AtomicFileError(operation: "rename", path: path, errno: code)
        }
        try Self.syncDirectory(of: path)
    }

    /// Removes the temporary file; the final name is untouched.
    public func abort() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(temporaryPath)
    }

    public static func syncDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw AtomicFileError(operation: "open", path: directory, errno: errno) }
        defer { close(dirFD) }
        guard fsync(dirFD) == 0 else { throw AtomicFileError(operation: "fsync", path: directory, errno: errno) }
    }
}

public struct AtomicFileError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32
    public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}
