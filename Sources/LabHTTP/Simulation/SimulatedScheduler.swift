/// The virtual clock of a simulated loop and what is due on it: a min-heap of
/// actions ordered by (due time, order of scheduling), so equal deadlines run
/// first-come first-served and every run of the same inputs runs the same order.
final class SimulatedScheduler {
    private struct Entry {
        let atNs: UInt64
        let order: UInt64
        let action: () -> Void
    }

    private(set) var nowNs: UInt64 = 0
    private var heap: [Entry] = []
    private var nextOrder: UInt64 = 0

    var pending: Int { heap.count }

    /// Runs `action` once `delayNs` of virtual time from now have passed.
    func schedule(afterNs delayNs: UInt64, _ action: @escaping () -> Void) {
        heap.append(Entry(atNs: nowNs &+ delayNs, order: nextOrder, action: action))
        nextOrder &+= 1
        siftUp(heap.count - 1)
    }

    /// The next action due no later than `limitNs`, with the clock moved to its time;
    /// nil when nothing is due by then (the clock then moves to `limitNs` if finite).
    func next(limitNs: UInt64 = .max) -> (() -> Void)? {
        guard let first = heap.first, first.atNs <= limitNs else {
            if limitNs != .max, limitNs > nowNs { nowNs = limitNs }
            return nil
        }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        if first.atNs > nowNs { nowNs = first.atNs }
        return first.action
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        heap[a].atNs < heap[b].atNs || (heap[a].atNs == heap[b].atNs && heap[a].order < heap[b].order)
    }

    private func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, less(left + 1, left) { smallest = left + 1 }
            guard less(smallest, parent) else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
