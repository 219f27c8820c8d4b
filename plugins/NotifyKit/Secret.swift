import Foundation

/// Secrets come from a systemd credential (`$CREDENTIALS_DIRECTORY/NAME`, `LoadCredential=`) or a
/// file readable only by the plugin's user: never from argv or the environment, where other
/// processes can read them. A file that every user may read is refused.
public enum Secret {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    /// The secret's bytes, without a trailing newline.
    public static func read(credential name: String?, file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [UInt8] {
        let path: String
        if let file {
            path = file
        } else if let name, let directory = environment["CREDENTIALS_DIRECTORY"] {
            path = directory + "/" + name
        } else {
            throw Missing(description: "no secret: give --secret-file PATH, or run under systemd with LoadCredential=\(name ?? "webhook-secret"):PATH")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Missing(description: "cannot read the secret from \(path)")
        }
        // systemd hands credentials over readable by the service alone; a file is the admin's to protect.
        var info = stat()
        if file != nil, stat(path, &info) == 0, info.st_mode & 0o007 != 0 {
            throw Missing(description: "the secret in \(path) is readable by every user (mode \(String(info.st_mode & 0o777, radix: 8))): chmod 0600 it")
        }
        var bytes = Array(data)
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        guard bytes.count >= 16 else {
            throw Missing(description: "the secret in \(path) is \(bytes.count) bytes; use at least 16 (e.g. 'openssl rand -hex 32')")
        }
        return bytes
    }
}
