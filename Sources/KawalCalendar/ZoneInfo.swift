/// The rules of one time zone, read from tzdata (a TZif file) or from a POSIX `TZ` string, and
/// interpreted exactly as glibc interprets them: systemd computes calendar events with glibc's
/// `localtime_r` and `mktime`, so matching it to the second means converting as glibc does —
/// which transition applies, the TZ-string rule after the last transition, the names it reports.
///
/// A `ZoneInfo` is a plain value; loading one is the only step that reads a file (`ZoneDatabase`).
public struct ZoneInfo: Equatable, Sendable {
    struct LocalTimeType: Equatable, Sendable {
        /// Seconds east of UTC.
        var offset: Int
        var isDST: Bool
        var abbreviation: String
    }

    struct LeapSecond: Equatable, Sendable {
        var transition: Int64
        var correction: Int
    }

    /// The name the zone was loaded by (`Asia/Makassar`), or the `TZ` string.
    public let identifier: String
    let transitions: [Int64]
    /// For each transition, the index of its type in `types`.
    let transitionTypes: [Int]
    let types: [LocalTimeType]
    /// The first abbreviation in the file's character block: glibc's fallback name.
    let firstAbbreviation: String
    let leapSeconds: [LeapSecond]
    /// The TZif footer, or the whole zone when there is no file.
    let rule: PosixTimeZone?
    let usesFile: Bool

    /// The standard and daylight-saving abbreviations, as glibc's `tzname` holds them after `tzset()`:
    /// a calendar expression may end with one of them to pick standard or daylight time.
    public let standardAbbreviation: String
    public let daylightAbbreviation: String
    /// glibc's `timezone == 0 && daylight == 0`: the zone is UTC in all but name (`Etc/UTC`, `GMT`, …).
    public let isUTC: Bool

    /// UTC, named `UTC`, as glibc uses it when no zone can be found.
    public static let utc = ZoneInfo(identifier: "UTC", rule: PosixTimeZone(parsing: "UTC0"))

    /// A zone made of a POSIX `TZ` string only, e.g. `CET-1CEST,M3.5.0,M10.5.0/3`.
    public init(posixRule text: String) {
        self.init(identifier: text, rule: PosixTimeZone(parsing: text))
    }

    private init(identifier: String, rule: PosixTimeZone) {
        self.identifier = identifier
        transitions = []
        transitionTypes = []
        types = []
        firstAbbreviation = rule.standard.name
        leapSeconds = []
        self.rule = rule
        usesFile = false
        standardAbbreviation = rule.standard.name
        daylightAbbreviation = rule.daylight.name
        isUTC = rule.standard.offset == 0 && rule.standard.offset == rule.daylight.offset
    }

    /// Reads a TZif file (RFC 8536), version 1 to 4, as glibc's `__tzfile_read` does: the 64-bit
    /// block when there is one, and the TZ-string footer. Nil when the bytes are not TZif.
    public init?(identifier: String, tzif bytes: [UInt8]) {
        var reader = TZifReader(bytes: bytes)
        guard let header = reader.header() else { return nil }
        var counts = header.counts
        var timeWidth = 4
        if header.version != 0 {
            // Skip the 32-bit block; the 64-bit one follows with its own header.
            guard reader.skip(counts.transitions * 5 + counts.types * 6 + counts.characters + counts.leaps * 8
                              + counts.standardIndicators + counts.utIndicators),
                let second = reader.header() else { return nil }
            counts = second.counts
            timeWidth = 8
        }
        guard counts.standardIndicators <= counts.types, counts.utIndicators <= counts.types, counts.types > 0 else { return nil }
        var transitions: [Int64] = []
        for _ in 0..<counts.transitions {
            guard let time = reader.integer(width: timeWidth) else { return nil }
            transitions.append(time)
        }
        var transitionTypes: [Int] = []
        for _ in 0..<counts.transitions {
            guard let index = reader.byte(), Int(index) < counts.types else { return nil }
            transitionTypes.append(Int(index))
        }
        var rawTypes: [(offset: Int, isDST: Bool, abbreviationIndex: Int)] = []
        for _ in 0..<counts.types {
            guard let offset = reader.integer(width: 4), let isDST = reader.byte(), isDST <= 1,
                let abbreviationIndex = reader.byte(), Int(abbreviationIndex) <= counts.characters else { return nil }
            rawTypes.append((Int(offset), isDST == 1, Int(abbreviationIndex)))
        }
        guard let characters = reader.bytes(counts.characters) else { return nil }
        var leapSeconds: [LeapSecond] = []
        for _ in 0..<counts.leaps {
            guard let transition = reader.integer(width: timeWidth), let correction = reader.integer(width: 4) else { return nil }
            leapSeconds.append(LeapSecond(transition: transition, correction: Int(correction)))
        }
        guard reader.skip(counts.standardIndicators + counts.utIndicators) else { return nil }
        var footer: PosixTimeZone?
        if timeWidth == 8, reader.byte() == UInt8(ascii: "\n"), let end = reader.remaining.firstIndex(of: UInt8(ascii: "\n")) {
            let text = String(decoding: reader.remaining[..<end], as: UTF8.self)
            if !text.isEmpty { footer = PosixTimeZone(parsing: text) }
        }

        func abbreviation(at index: Int) -> String {
            let tail = characters[index...]
            return String(decoding: tail.prefix { $0 != 0 }, as: UTF8.self)
        }
        let types = rawTypes.map { LocalTimeType(offset: $0.offset, isDST: $0.isDST, abbreviation: abbreviation(at: $0.abbreviationIndex)) }

        // tzname: the latest standard and daylight names among the transitions.
        var names: [String?] = [nil, nil]
        for type in transitionTypes.reversed().map({ types[$0] }) {
            let flavour = type.isDST ? 1 : 0
            if names[flavour] == nil {
                names[flavour] = type.abbreviation
                if names[1 - flavour] != nil { break }
            }
        }
        let first = abbreviation(at: 0)
        let standardName = names[0] ?? first
        // glibc's rule offsets: the latest standard and daylight offsets among the transitions.
        var standardOffset = types[0].offset
        var daylightOffset = types[0].offset
        if !transitionTypes.isEmpty {
            var standardSet = false
            var daylightSet = false
            standardOffset = 0
            daylightOffset = 0
            for type in transitionTypes.reversed().map({ types[$0] }) {
                if !standardSet && !type.isDST {
                    standardSet = true
                    standardOffset = type.offset
                } else if !daylightSet && type.isDST {
                    daylightSet = true
                    daylightOffset = type.offset
                }
                if standardSet && daylightSet { break }
            }
            if !daylightSet { daylightOffset = standardOffset }
        }

        self.identifier = identifier
        self.transitions = transitions
        self.transitionTypes = transitionTypes
        self.types = types
        firstAbbreviation = first
        self.leapSeconds = leapSeconds
        rule = footer
        usesFile = true
        standardAbbreviation = standardName
        daylightAbbreviation = names[1] ?? standardName
        isUTC = standardOffset == 0 && daylightOffset == 0
    }

    /// The local time type in force at an instant, and the leap-second correction: glibc's `__tzfile_compute`.
    func localTimeType(at time: Int64) -> LocalTimeType {
        guard usesFile else {
            let (offset, isDST, name) = rule!.localTimeType(at: time)
            return LocalTimeType(offset: offset, isDST: isDST, abbreviation: name)
        }
        if transitions.isEmpty || time < transitions[0] {
            // Before the first transition: the first standard-time type.
            return types.first { !$0.isDST } ?? types[0]
        }
        if time >= transitions[transitions.count - 1] {
            if let rule {
                let (offset, isDST, name) = rule.localTimeType(at: time)
                return LocalTimeType(offset: offset, isDST: isDST, abbreviation: name)
            }
            return types[transitionTypes[transitions.count - 1]]
        }
        // The last transition at or before `time`.
        var low = 0
        var high = transitions.count - 1
        while low + 1 < high {
            let middle = (low + high) / 2
            if time < transitions[middle] { high = middle } else { low = middle }
        }
        return types[transitionTypes[low]]
    }

    private func leapCorrection(at time: Int64) -> (correction: Int, extraSeconds: Int) {
        guard var index = leapSeconds.lastIndex(where: { time >= $0.transition }) else { return (0, 0) }
        let correction = leapSeconds[index].correction
        var extra = 0
        if time == leapSeconds[index].transition,
           (index == 0 && correction > 0) || (index > 0 && correction > leapSeconds[index - 1].correction) {
            extra = 1
            while index > 0, leapSeconds[index].transition == leapSeconds[index - 1].transition + 1,
                  leapSeconds[index].correction == leapSeconds[index - 1].correction + 1 {
                extra += 1
                index -= 1
            }
        }
        return (correction, extra)
    }

    /// glibc's `gmtime_r` while `TZ` names this zone: UTC, counting the file's leap seconds.
    func universalTime(_ time: Int64) -> BrokenDownTime {
        let (correction, extraSeconds) = leapCorrection(at: time)
        var result = BrokenDownTime(utc: time, offset: -correction)
        result.second += extraSeconds
        result.utcOffset = 0
        result.zoneAbbreviation = "GMT"
        return result
    }

    /// glibc's `localtime_r`.
    func localTime(_ time: Int64) -> BrokenDownTime {
        let type = localTimeType(at: time)
        let (correction, extraSeconds) = leapCorrection(at: time)
        var result = BrokenDownTime(utc: time, offset: type.offset - correction)
        result.second += extraSeconds
        result.utcOffset = type.offset
        result.isDST = type.isDST ? 1 : 0
        result.zoneAbbreviation = type.abbreviation
        return result
    }
}

/// Big-endian reads over a TZif file.
private struct TZifReader {
    struct Counts {
        var utIndicators, standardIndicators, leaps, transitions, types, characters: Int
    }

    let bytes: [UInt8]
    var position = 0

    var remaining: ArraySlice<UInt8> { bytes[position...] }

    mutating func header() -> (version: UInt8, counts: Counts)? {
        guard position + 44 <= bytes.count, bytes[position..<position + 4].elementsEqual("TZif".utf8) else { return nil }
        let version = bytes[position + 4]
        position += 20
        var values: [Int] = []
        for _ in 0..<6 {
            guard let value = integer(width: 4), value >= 0 else { return nil }
            values.append(Int(value))
        }
        return (version, Counts(utIndicators: values[0], standardIndicators: values[1], leaps: values[2],
                                transitions: values[3], types: values[4], characters: values[5]))
    }

    mutating func integer(width: Int) -> Int64? {
        guard position + width <= bytes.count else { return nil }
        var value: UInt64 = 0
        for byte in bytes[position..<position + width] { value = value << 8 | UInt64(byte) }
        position += width
        if width == 4 { return Int64(Int32(bitPattern: UInt32(value))) }
        return Int64(bitPattern: value)
    }

    mutating func byte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard position + count <= bytes.count else { return nil }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    mutating func skip(_ count: Int) -> Bool {
        guard position + count <= bytes.count else { return false }
        position += count
        return true
    }
}
