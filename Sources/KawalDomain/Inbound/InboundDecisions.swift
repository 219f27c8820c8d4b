#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension WhenSpec {
    /// The moment meant, in `calendar`'s zone. A day without a time keeps `timeOf`'s time of day (a
    /// visit planned for 09:00 moved to `besok` is due at 09:00 tomorrow). Nil when the moment is
    /// not after `now` or does not exist (31/02).
    public func resolve(now: Date, keepingTimeOf timeOf: Date, calendar: Calendar) -> Date? {
        let time = calendar.dateComponents([.hour, .minute], from: timeOf)
        let today = calendar.startOfDay(for: now)
        func at(_ day: Date, hour: Int? = nil, minute: Int? = nil) -> Date? {
            calendar.date(bySettingHour: hour ?? time.hour ?? 9, minute: minute ?? time.minute ?? 0, second: 0, of: day)
        }
        let target: Date?
        switch self {
        case .tomorrow: target = calendar.date(byAdding: .day, value: 1, to: today).flatMap { at($0) }
        case .dayAfterTomorrow: target = calendar.date(byAdding: .day, value: 2, to: today).flatMap { at($0) }
        case .inDays(let days): target = calendar.date(byAdding: .day, value: days, to: today).flatMap { at($0) }
        case .weekday(let weekday):
            let current = calendar.component(.weekday, from: today)
            let ahead = (weekday - current + 7) % 7
            target = calendar.date(byAdding: .day, value: ahead == 0 ? 7 : ahead, to: today).flatMap { at($0) }
        case .date(let day, let month, let year, let hour, let minute):
            var year = year ?? calendar.component(.year, from: now)
            var components = DateComponents(year: year, month: month, day: day)
            // Without a year, a date already past this year means next year's (in December, 05/01 is January).
            if year == calendar.component(.year, from: now), let candidate = calendar.date(from: components),
               calendar.startOfDay(for: candidate) < today, calendar.component(.month, from: now) > month {
                year += 1
                components.year = year
            }
            guard let date = calendar.date(from: components),
                  calendar.component(.day, from: date) == day, calendar.component(.month, from: date) == month else { return nil }
            target = at(date, hour: hour, minute: minute)
        }
        guard let target, target > now else { return nil }
        return target
    }
}

/// How often one sender may write: `limit` messages within `window`. Pure: the store keeps the
/// times, the policy decides.
public struct SenderRateLimit: Sendable, Equatable {
    public var limit: Int
    public var window: TimeInterval

    public init(limit: Int = 20, window: TimeInterval = 3600) {
        self.limit = limit
        self.window = window
    }

    /// Whether one more message at `now` is allowed, given how many the sender sent within the window before it.
    public func allows(recentCount: Int) -> Bool { recentCount < limit }
}

/// What a message came to: the state of an inbound record.
public enum InboundOutcome: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// The command was carried out.
    case done
    /// Read, but refused: a follow-up not the sender's, a date in the past, a wrong PIN.
    case refused
    /// Could not be read; the reply says what would work.
    case unreadable
    /// The sender is no active handler.
    case unknownSender = "unknown_sender"
    /// The sender wrote too often; not processed.
    case rateLimited = "rate_limited"

    public var description: String { rawValue }
}

/// Fits lines into at most `parts` SMS of `partLength` characters (153: a 7-bit part of a long
/// message), keeping whole lines, and says how many were left out.
public func fitIntoSMS(header: String, lines: [String], more: (Int) -> String, parts: Int = 2, partLength: Int = 153) -> String {
    let budget = parts * partLength
    var text = header
    for (index, line) in lines.enumerated() {
        let left = lines.count - index - 1
        let candidate = text + (text.isEmpty ? "" : "\n") + line
        let tail = left > 0 ? "\n" + more(left) : ""
        if (candidate + tail).count > budget {
            return text + "\n" + more(lines.count - index)
        }
        text = candidate
    }
    return text
}
