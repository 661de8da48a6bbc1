/// The handle a request handler answers through. Steps can be sent all at once
/// (a script) or piece by piece (a proxied stream); they run in order, after the
/// responses to earlier requests on the same connection.
public final class Responder {
    public let request: HTTPRequest
    /// Lab time the request was complete, on its loop's clock.
    public let receivedAtMs: Double
    private let loop: EventLoop?
    public let peer: String
    var pending: [WireStep] = []
    var pendingIndex = 0
    public private(set) var executed: [ExecutedStep] = []
    public private(set) var outcome: ResponseOutcome?
    /// Called once when the response has ended one way or another.
    public var onFinish: ((Responder) -> Void)?
    /// Called when the client leaves before the response ended, so long work can stop.
    public var onClientGone: (() -> Void)?
    weak var connection: ServerConnection?

    init(request: HTTPRequest, peer: String, connection: ServerConnection?, loop: EventLoop?) {
        self.request = request
        self.peer = peer
        self.connection = connection
        self.loop = loop
        receivedAtMs = loop?.nowMs ?? 0
    }


    /// The status sent, if a head was written.
    public var sentStatus: Int? {
        for step in executed { if case .head(let s) = step.kind { return s } }
        return nil
    }

    public func send(_ steps: [WireStep]) {
        guard outcome == nil else { return }
        pending.append(contentsOf: steps)
        connection?.pump()
    }

    public func send(_ script: WireScript) { send(script.steps) }

    public func send(_ step: WireStep) { send([step]) }

    /// A deferred run being expanded: its steps, the next piece, and the piece made last.
    private var expanding: (steps: DeferredSteps, next: Int, made: [WireStep], at: Int)?

    func nextStep() -> WireStep? {
        while true {
            if var e = expanding {
                if e.at < e.made.count {
                    let step = e.made[e.at]
                    e.at += 1
                    expanding = e
                    return step
                }
                guard e.next < e.steps.count else { expanding = nil; continue }
                e.made = e.steps.steps(e.next)
                e.next += 1
                e.at = 0
                expanding = e
                continue
            }
            guard pendingIndex < pending.count else { return nil }
            let step = pending[pendingIndex]
            pendingIndex += 1
            if pendingIndex > 64 {
                pending.removeFirst(pendingIndex)
                pendingIndex = 0
            }
            if case .deferred(let d) = step {
                expanding = (d, 0, [], 0)
                continue
            }
            return step
        }
    }

    func record(_ kind: ExecutedStep.Kind) {
        executed.append(ExecutedStep(atMs: (loop?.nowMs ?? 0) - receivedAtMs, kind: kind))
    }

    func finish(_ how: ResponseOutcome) {
        guard outcome == nil else { return }
        outcome = how
        pending = []
        expanding = nil
        // Dropped whatever the outcome: a handler's closure often holds what holds this
        // responder (a proxied stream), and keeping it would keep both alive forever.
        let gone = onClientGone
        onClientGone = nil
        if how == .clientGone {
            record(.clientGone)
            gone?()
        }
        let done = onFinish
        onFinish = nil
        done?(self)
    }
}
