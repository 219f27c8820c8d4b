/// A plugin's stderr cut into lines for the journal. A line longer than `limit` bytes is filed in
/// pieces (each but the last ending in "…"): a plugin that writes without newlines cannot make
/// kawald hold more than `limit` bytes of it.
struct StderrLines {
    let limit: Int
    private var pending: [UInt8] = []

    init(limit: Int = 4096) {
        self.limit = limit
    }

    /// The lines that `bytes` complete.
    mutating func append(_ bytes: some Sequence<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == 0x0A {
                lines.append(String(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count == limit {
                    lines.append(String(decoding: pending, as: UTF8.self) + "…")
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        return lines
    }

    /// What is left when the plugin closes its stderr, if anything.
    mutating func finish() -> String? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
    }
}
