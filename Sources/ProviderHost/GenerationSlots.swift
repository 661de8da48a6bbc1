/// Ollama's parallel generation (`OLLAMA_NUM_PARALLEL`): each loaded model generates at
/// most `count` answers at once — the runner of every model has its own — and its other
/// requests wait, in arrival order, for one of its answers to end; a generation that hangs
/// holds its slot until its client leaves. Pure: the provider says when an answer arrives
/// and when it ends.
public final class GenerationSlots {
    public let count: Int
    /// One model's answers: how many generate, and who waits.
    private struct Lane {
        let model: String
        var generating = 0
        var waiting: [(id: ObjectIdentifier, start: (_ queued: Bool) -> Void)] = []
    }
    /// The models with an answer under way or waiting: a short list, scanned by name.
    private var lanes: [Lane] = []

    public init(count: Int) {
        precondition(count >= 1)
        self.count = count
    }

    /// Answers generating now, all models together.
    public var generating: Int { lanes.reduce(0) { $0 + $1.generating } }

    /// Answers waiting for a slot, all models together.
    public var queued: Int { lanes.reduce(0) { $0 + $1.waiting.count } }

    /// Starts `start` now if one of `model`'s slots is free, else when one frees; it is told
    /// which (`queued`), as an answer that started at once waited for nothing, however long
    /// the work before it took on a busy machine.
    public func run(_ id: ObjectIdentifier, model: String, _ start: @escaping (_ queued: Bool) -> Void) {
        guard let i = lanes.firstIndex(where: { $0.model == model }) else {
            lanes.append(Lane(model: model, generating: 1))
            return start(false)
        }
        guard lanes[i].generating < count else { return lanes[i].waiting.append((id, start)) }
        lanes[i].generating += 1
        start(false)
    }

    /// The answer `id` for `model` has ended, or its client left while it waited: true in
    /// that case (it never started).
    @discardableResult
    public func ended(_ id: ObjectIdentifier, model: String) -> Bool {
        guard let i = lanes.firstIndex(where: { $0.model == model }) else { return false }
        if let w = lanes[i].waiting.firstIndex(where: { $0.id == id }) {
            lanes[i].waiting.remove(at: w)
            return true
        }
        lanes[i].generating -= 1
        guard !lanes[i].waiting.isEmpty else {
            if lanes[i].generating == 0 { lanes.remove(at: i) }
            return false
        }
        let next = lanes[i].waiting.removeFirst()
        lanes[i].generating += 1
        next.start(true)
        return false
    }
}
