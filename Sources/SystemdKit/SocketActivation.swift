import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Listening sockets handed over by the service manager (`LISTEN_FDS`, `LISTEN_FDNAMES`).
public enum SocketActivation {
    /// The inherited descriptors by name (`FileDescriptorName=` in the socket unit; "unknown" when unnamed).
    /// The environment variables are removed so that child processes do not see them.
    public static func inheritedSockets() -> [(name: String, fd: CInt)] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        guard count > 0 else { return [] }
        defer {
            if let names {
                for i in 0..<Int(count) { free(names[i]) }
                free(names)
            }
        }
        return (0..<Int(count)).map { i in
            let name = names?[i].map { String(cString: $0) } ?? "unknown"
            return (name: name, fd: SD_LISTEN_FDS_START + CInt(i))
        }
    }
}
