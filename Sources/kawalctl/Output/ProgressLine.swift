#if canImport(Glibc)
import Glibc
#endif

/// One line on stderr that redraws itself (`\r`) while a long command works, at most ten times a
/// second. Only on a terminal: redirected stderr gets nothing, so logs and scripts stay clean.
struct ProgressLine {
    let enabled: Bool
    let label: String
    private var lastDrawn = 0.0
    private var width = 0
    private let started = monotonicSeconds()

    init(label: String, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.enabled = enabled
    }

    /// `done` of `total` units (bytes of the file, say), `rows` handled so far.
    mutating func update(done: Int, total: Int, rows: Int, force: Bool = false) {
        let elapsed = monotonicSeconds() - started
        let rate = elapsed > 0 ? Int(Double(rows) / elapsed) : 0
        update(done: done, total: total, force: force) { "\(grouped(rows)) rows  \(grouped(rate)) rows/s" }
    }

    /// `done` of `total` bytes, with MiB and MiB/s.
    mutating func update(bytes done: Int, of total: Int, force: Bool = false) {
        let elapsed = monotonicSeconds() - started
        let rate = elapsed > 0 ? Double(done) / elapsed / 1_048_576 : 0
        update(done: done, total: total, force: force) { "\(grouped(done >> 20)) of \(grouped(total >> 20)) MiB  \(Int(rate)) MiB/s" }
    }

    private mutating func update(done: Int, total: Int, force: Bool, detail: () -> String) {
        guard enabled else { return }
        let now = monotonicSeconds()
        guard force || now - lastDrawn >= 0.1 else { return }
        lastDrawn = now
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let barWidth = 24
        let filled = Int(fraction * Double(barWidth))
        let line = "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: barWidth - filled))] "
            + "\(Int(fraction * 100))%  " + detail()
        draw(line)
    }

    /// Shows a line of its own while a step without a measure runs (the commit).
    mutating func show(_ text: String) {
        guard enabled else { return }
        draw(label + ": " + text)
    }

    /// Clears the line, so that what is printed next starts clean.
    mutating func finish() {
        guard enabled, width > 0 else { return }
        writeRaw("\r" + String(repeating: " ", count: width) + "\r")
        width = 0
    }

    private mutating func draw(_ line: String) {
        let padding = max(0, width - line.count)
        writeRaw("\r" + line + String(repeating: " ", count: padding))
        width = line.count
    }

    private func writeRaw(_ text: String) {
        _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }
}

/// 100000 as 100,000.
func grouped(_ value: Int) -> String {
    let digits = String(value)
    var out = ""
    for (position, digit) in digits.enumerated() {
        if position > 0 && (digits.count - position) % 3 == 0 { out.append(",") }
        out.append(digit)
    }
    return out
}
