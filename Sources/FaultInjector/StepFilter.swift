import LabHTTP

/// A fault's transform as one pass over a script's steps, in order, holding back only
/// what it must (a step it may still change or drop): a stream made piece by piece as it
/// is sent is transformed piece by piece too, never rendered whole.
public protocol StepFilter {
    /// Takes the script's next step; appends what can go out now.
    mutating func take(_ step: WireStep, into out: inout [WireStep])
    /// The script ended: appends what was held back and what goes last.
    mutating func finish(into out: inout [WireStep])
    /// Nothing later in the script can change what is sent, so it need not be made.
    var isDone: Bool { get }
}

/// Filters in turn, each one's output the next one's input: a rule's faults, in order.
struct FilterChain {
    private var filters: [any StepFilter]

    init(_ filters: [any StepFilter]) { self.filters = filters }

    var isDone: Bool { filters.contains { $0.isDone } }

    mutating func take(_ step: WireStep, into out: inout [WireStep]) {
        push([step], from: 0, into: &out)
    }

    mutating func finish(into out: inout [WireStep]) {
        for k in filters.indices {
            var tail: [WireStep] = []
            filters[k].finish(into: &tail)
            push(tail, from: k + 1, into: &out)
        }
    }

    private mutating func push(_ steps: [WireStep], from k: Int, into out: inout [WireStep]) {
        guard k < filters.count else { return out.append(contentsOf: steps) }
        guard !steps.isEmpty else { return }
        var next: [WireStep] = []
        for step in steps where !filters[k].isDone { filters[k].take(step, into: &next) }
        push(next, from: k + 1, into: &out)
    }
}

extension WireScript {
    /// The script through `filters`: when it holds deferred pieces, lazily — one deferred
    /// run that makes the source's pieces, and filters them, only as it is sent (and stops
    /// making them once no filter takes more); otherwise at once.
    func filtered(by filters: [any StepFilter]) -> WireScript {
        guard steps.contains(where: { if case .deferred = $0 { return true } else { return false } }) else {
            return filteredAtOnce(by: filters)
        }
        let source = self
        return WireScript([.deferred(DeferredSteps {
            var chain = FilterChain(filters)
            var reading = source.reading
            var ended = false
            return AnyIterator {
                guard !ended else { return nil }
                var out: [WireStep] = []
                while out.isEmpty, !ended {
                    if !chain.isDone, let step = reading.next() {
                        chain.take(step, into: &out)
                    } else {
                        chain.finish(into: &out)
                        ended = true
                    }
                }
                return out
            }
        })])
    }

    /// The script through `filters`, all of it now (what is past a filter's end is not made).
    func filteredAtOnce(by filters: [any StepFilter]) -> WireScript {
        var chain = FilterChain(filters)
        var out: [WireStep] = []
        for step in reading {
            if chain.isDone { break }
            chain.take(step, into: &out)
        }
        chain.finish(into: &out)
        return WireScript(out)
    }
}

/// Steps held back until the head arrives: a cut that is measured from the head sends
/// nothing when the script has none (a hang, a reply already replaced).
struct BeforeHead {
    private(set) var held: [WireStep] = []
    private(set) var sawHead = false

    /// Holds `step` if no head came yet; true when it was held.
    mutating func hold(_ step: WireStep) -> Bool {
        guard !sawHead else { return false }
        if case .head = step {
            sawHead = true
            return false
        }
        held.append(step)
        return true
    }

    /// The held steps, given up once (when the head came, or at the end).
    mutating func release() -> [WireStep] {
        defer { held = [] }
        return held
    }
}

/// Steps sent instead of the script, which is never made.
struct Replacement: StepFilter {
    var steps: [WireStep]
    let isDone = true

    mutating func take(_ step: WireStep, into out: inout [WireStep]) {}

    mutating func finish(into out: inout [WireStep]) {
        out += steps
        steps = []
    }
}

/// Whether a script is a stream or a reply sent whole (a Content-Length on its first
/// head), known once the head came: the stream faults treat the two differently.
enum ReplyShape {
    case unknown, whole, stream

    /// Learns the shape from the script's first head; true when `step` was that head.
    mutating func learn(from step: WireStep) -> Bool {
        guard self == .unknown, case .head(_, let headers) = step else { return false }
        self = headers.contains("Content-Length") ? .whole : .stream
        return true
    }
}
