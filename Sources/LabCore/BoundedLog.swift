/// A list that keeps its latest `limit` items: when full, the oldest tenth goes at once
/// (so trimming is rare), and `dropped` counts what went. Journals use it so a long run
/// cannot exhaust memory.
public struct BoundedLog<Element> {
    /// Stored under another name so that `append` can be inlined into its users (a journal
    /// appends on every request; unspecialised, each append looked up the array's type).
    @usableFromInline var kept: [Element] = []
    @usableFromInline var droppedCount = 0
    public let limit: Int

    public var items: [Element] { kept }
    public var dropped: Int { droppedCount }

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Appends, trimming first when full. Returns the item's position counted from the
    /// first item ever appended (stable across trims).
    @inlinable @discardableResult
    public mutating func append(_ item: Element) -> Int {
        if kept.count >= limit {
            let cut = max(1, limit / 10)
            kept.removeFirst(cut)
            droppedCount += cut
        }
        kept.append(item)
        return droppedCount + kept.count - 1
    }

    /// Changes the item at a stable position, if it is still kept.
    public mutating func update(_ position: Int, _ change: (inout Element) -> Void) {
        let i = position - droppedCount
        guard i >= 0, i < kept.count else { return }
        change(&kept[i])
    }

    public mutating func removeAll() {
        kept = []
        droppedCount = 0
    }
}
