/// Sizes for people: "381.0 KiB", "11.6 GiB" (binary units, one decimal), "512 B".
///
/// ```swift
/// ByteCount.text(1_572_864)   // "1.5 MiB"
/// ```
public enum ByteCount {
    public static func text(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        guard unit > 0 else { return "\(count) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
