/// Where webhook-inbound listens, from `--listen`: a loopback address with a port, or a Unix
/// socket. Never a public address: the office's reverse proxy terminates TLS and forwards here.
///
/// ```swift
/// try ListenAddress("127.0.0.1:8470")                    // .loopback(host: "127.0.0.1", port: 8470)
/// try ListenAddress("unix:/run/kawal-webhook-in/in.sock")  // .unix(path: "/run/kawal-webhook-in/in.sock")
/// ```
enum ListenAddress: Equatable, CustomStringConvertible {
    case loopback(host: String, port: Int)
    case unix(path: String)

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    static let accepted = "expected 127.0.0.1:PORT, [::1]:PORT, localhost:PORT or unix:/ABSOLUTE/PATH"

    init(_ text: String) throws(Invalid) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/") else { throw Invalid(description: "--listen: the socket path must be absolute, got '\(path)'") }
            // sockaddr_un holds 108 bytes with the terminating zero.
            guard path.utf8.count < 108 else { throw Invalid(description: "--listen: the socket path is \(path.utf8.count) bytes; a Unix socket path has at most 107") }
            self = .unix(path: path)
            return
        }
        guard let colon = text.lastIndex(of: ":") else { throw Invalid(description: "--listen: \(Self.accepted), got '\(text)'") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            throw Invalid(description: "--listen: the port must be a number from 1 to 65535, got '\(text[text.index(after: colon)...])'")
        }
        guard Self.isLoopback(host) else {
            throw Invalid(description: "--listen: '\(host)' is not a loopback address; webhook-inbound listens on 127.0.0.1, [::1] or a Unix socket, behind the office's reverse proxy (\(Self.accepted))")
        }
        self = .loopback(host: host, port: port)
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    var description: String {
        switch self {
        case .loopback(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return "unix:\(path)"
        }
    }
}
