extension CalendarSpec {
    /// The normalised form, character for character as systemd prints it
    /// (`Mon..Fri *-*-* 08:00:00 Asia/Makassar`).
    public var normalized: String {
        var text = ""
        if let weekdays {
            text += Self.format(weekdays: weekdays) + " "
        }
        text += Self.format(year, width: 4) + "-" + Self.format(month, width: 2) + (endOfMonth ? "~" : "-") + Self.format(day, width: 2)
        text += " " + Self.format(hour, width: 2) + ":" + Self.format(minute, width: 2) + ":" + Self.format(microsecond, width: 2, microseconds: true)
        if utc {
            text += " UTC"
        } else if let timezone {
            text += " " + timezone
        } else if dst >= 0, let dstAbbreviation, !dstAbbreviation.isEmpty {
            text += " " + dstAbbreviation
        }
        return text
    }

    /// systemd's `calendar_spec_normalize`: two-digit years, sorted lists without duplicates, ranges cut
    /// to a whole number of repetitions, repetitions that cannot fire twice dropped.
    mutating func normalize() {
        if let bits = weekdays, bits <= 0 || bits >= 127 { weekdays = nil }
        if endOfMonth && day == nil { endOfMonth = false }
        year = year.map { $0.map(Self.fixingYear) }
        year = year.map(Self.normalized)
        month = month.map(Self.normalized)
        day = day.map(Self.normalized)
        hour = hour.map(Self.normalized)
        minute = minute.map(Self.normalized)
        microsecond = microsecond.map(Self.normalized)
    }

    /// 12 is 2012, 89 is 1989.
    private static func fixingYear(_ component: Component) -> Component {
        var fixed = component
        for keyPath in [\Component.start, \Component.stop] {
            if (0..<70).contains(fixed[keyPath: keyPath]) { fixed[keyPath: keyPath] += 2000 }
            if (70..<100).contains(fixed[keyPath: keyPath]) { fixed[keyPath: keyPath] += 1900 }
        }
        return fixed
    }

    private static func normalized(_ chain: [Component]) -> [Component] {
        let cut = chain.map { original in
            var component = original
            if component.stop > component.start && component.repeat > 0 {
                component.stop -= (component.stop - component.start) % component.repeat
            }
            if (component.stop > component.start && component.repeat > 0 && component.start + component.repeat > component.stop)
                || component.start == component.stop {
                component.repeat = 0
                component.stop = -1
            }
            return component
        }
        guard cut.count > 1 else { return cut }
        var unique: [Component] = []
        for component in cut.sorted() where unique.last != component {
            unique.append(component)
        }
        return unique
    }

    private static func format(weekdays bits: Int) -> String {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        var text = ""
        var runStart = -1
        var needComma = false
        func closeRun(before day: Int) {
            if day > runStart + 1 {
                text += (day > runStart + 2 ? ".." : ",") + names[day - 1]
            }
        }
        for day in 0..<7 {
            if bits & (1 << day) != 0 {
                if runStart < 0 {
                    if needComma { text += "," }
                    needComma = true
                    text += names[day]
                    runStart = day
                }
            } else if runStart >= 0 {
                closeRun(before: day)
                runStart = -1
            }
        }
        if runStart >= 0 { closeRun(before: 7) }
        return text
    }

    private static func format(_ chain: [Component]?, width: Int, microseconds: Bool = false) -> String {
        guard let chain else { return "*" }
        let unit = microseconds ? 1_000_000 : 1
        if microseconds, chain.count == 1, chain[0].start == 0, chain[0].repeat == unit { return "*" }
        func padded(_ value: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        func fraction(_ value: Int) -> String {
            value % unit > 0 ? "." + String(String(value % unit + 1_000_000).dropFirst()) : ""
        }
        return chain.map { component in
            var text = padded(component.start / unit) + fraction(component.start)
            if component.stop > 0 {
                text += ".." + padded(component.stop / unit)
            }
            text += fraction(component.stop)
            if component.repeat > 0 && !(component.stop > 0 && component.repeat == unit) {
                text += "/" + String(component.repeat / unit)
            }
            text += fraction(component.repeat)
            return text
        }.joined(separator: ",")
    }
}
