import Foundation

/// The next due times of pending work, earliest first: a binary min-heap keyed by (due time, id).
/// Removing or rescheduling an item is lazy: the stale heap entry is skipped when it surfaces, so
/// every operation stays O(log n) even with a million jobs.
///
/// ```swift
/// var heap = DueHeap()
/// heap.schedule(id: 7, at: tomorrow)
/// heap.earliest()        // tomorrow
/// heap.popDue(now: now)  // ids whose time has come
/// ```
public struct DueHeap: Sendable {
    private var entries: [(due: Date, id: Int64)] = []
    /// The current due time of each scheduled id; heap entries that disagree are stale.
    private var current: [Int64: Date] = [:]

    public init() {}

    public var count: Int { current.count }
    public var isEmpty: Bool { current.isEmpty }

    public func contains(_ id: Int64) -> Bool { current[id] != nil }

    /// Schedules `id` at `due`, replacing an earlier schedule of the same id.
    public mutating func schedule(id: Int64, at due: Date) {
        current[id] = due
        entries.append((due, id))
        siftUp(entries.count - 1)
    }

    public mutating func remove(_ id: Int64) {
        current[id] = nil
    }

    /// The earliest due time, or nil when nothing is scheduled.
    public mutating func earliest() -> Date? {
        dropStale()
        return entries.first?.due
    }

    /// Removes and returns the ids due at or before `now`, earliest first (at most `limit`).
    public mutating func popDue(now: Date, limit: Int = .max) -> [Int64] {
        var due: [Int64] = []
        while due.count < limit {
            dropStale()
            guard let top = entries.first, top.due <= now else { break }
            removeTop()
            current[top.id] = nil
            due.append(top.id)
        }
        return due
    }

    private mutating func dropStale() {
        while let top = entries.first, current[top.id] != top.due {
            removeTop()
        }
    }

    private mutating func removeTop() {
        let last = entries.removeLast()
        guard !entries.isEmpty else { return }
        entries[0] = last
        siftDown(0)
    }

    private static func less(_ a: (due: Date, id: Int64), _ b: (due: Date, id: Int64)) -> Bool {
        a.due < b.due || (a.due == b.due && a.id < b.id)
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(entries[child], entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count && Self.less(entries[left], entries[smallest]) { smallest = left }
            if right < entries.count && Self.less(entries[right], entries[smallest]) { smallest = right }
            guard smallest != parent else { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
