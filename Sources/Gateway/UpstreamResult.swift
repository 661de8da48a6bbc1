import LabHTTP

/// What one target produced: a buffered response, or a stream that has started
/// (then `stream` carries the rest of it).
final class UpstreamResult {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var gatewayException: Bool
    /// For a streaming success: the upstream body still arriving.
    var stream: StreamRelay?
    var indexPath = "config"
    /// The path went past the first target of some fallback group: set on the way back
    /// up, where the group knows it, rather than found again from `indexPath`.
    var fellBack = false
    var retryCount = 0
    /// Came back from a provider call (not from validation or a gateway exception):
    /// only then does the answer carry the routing headers.
    var routed = false
    /// The provider of the target that answered (`x-portkey-provider`).
    var provider = ""

    init(status: Int, headers: HTTPHeaders, body: [UInt8], gatewayException: Bool = false, stream: StreamRelay? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.gatewayException = gatewayException
        self.stream = stream
    }

    /// `response.ok` in the gateway's fetch sense.
    var ok: Bool { (200...299).contains(status) }
}

/// The rest of an upstream stream, re-emitted to whoever attaches. Pieces that
/// arrive before anyone attaches are kept.
final class StreamRelay {
    enum Event { case data([UInt8]), end, failed }
    private var pending: [Event] = []
    var sink: ((Event) -> Void)? {
        didSet {
            guard let sink else { return }
            let events = pending
            pending = []
            for e in events { sink(e) }
        }
    }
    var cancel: () -> Void = {}

    func emit(_ event: Event) {
        if let sink { sink(event) } else { pending.append(event) }
    }
}
