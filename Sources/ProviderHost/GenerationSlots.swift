/// Ollama's parallel generation (`OLLAMA_NUM_PARALLEL`): a loaded model generates at most
/// `count` answers at once; the others wait, in arrival order, for one to end — and a
/// generation that hangs holds its slot until its client leaves. Pure: the provider says
/// when an answer arrives and when it ends.
public final class GenerationSlots {
    public let count: Int
    public private(set) var generating = 0
    private var waiting: [(id: ObjectIdentifier, start: () -> Void)] = []

    public init(count: Int) {
        precondition(count >= 1)
        self.count = count
    }

    /// Answers waiting for a slot.
    public var queued: Int { waiting.count }

    /// Starts `start` now if a slot is free, else when one frees.
    public func run(_ id: ObjectIdentifier, _ start: @escaping () -> Void) {
        guard generating < count else { return waiting.append((id, start)) }
        generating += 1
        start()
    }

    /// The answer `id` has ended, or its client left while it waited.
    public func ended(_ id: ObjectIdentifier) {
        if let i = waiting.firstIndex(where: { $0.id == id }) {
            waiting.remove(at: i)
            return
        }
        generating -= 1
        guard !waiting.isEmpty, generating < count else { return }
        let next = waiting.removeFirst()
        generating += 1
        next.start()
    }
}
