/// A list that keeps its latest `limit` items: when full, the oldest tenth goes at once
/// (so trimming is rare), and `dropped` counts what went. Journals use it so a long run
/// cannot exhaust memory.
public struct BoundedLog<Element> {
    public private(set) var items: [Element] = []
    public let limit: Int
    public private(set) var dropped = 0

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Appends, trimming first when full. Returns the item's position counted from the
    /// first item ever appended (stable across trims).
    @discardableResult
    public mutating func append(_ item: Element) -> Int {
        if items.count >= limit {
            let cut = max(1, limit / 10)
            items.removeFirst(cut)
            dropped += cut
        }
        items.append(item)
        return dropped + items.count - 1
    }

    /// Changes the item at a stable position, if it is still kept.
    public mutating func update(_ position: Int, _ change: (inout Element) -> Void) {
        let i = position - dropped
        guard i >= 0, i < items.count else { return }
        change(&items[i])
    }

    public mutating func removeAll() {
        items = []
        dropped = 0
    }
}
