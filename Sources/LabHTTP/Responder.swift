import LabCore

/// One response from its first step to its last: the handle a request handler answers
/// through, and the state of the answer on the wire (head written, framing, whether
/// the connection closes after it). Steps can be sent all at once (a script) or piece
/// by piece (a proxied stream); they run in order, after the responses to earlier
/// requests on the same connection. The connection only moves bytes and keeps time.
public final class Responder {
    public let request: HTTPRequest
    /// Lab time the request was complete, on its loop's clock.
    public let receivedAtMs: Double
    private let loop: EventLoop?
    public let peer: String
    var pending: [WireStep] = []
    var pendingIndex = 0
    /// The steps executed: the first `keptSteps`, then only the latest, with the ones in
    /// between counted in `omitted`, so a long stream's record stays small.
    public private(set) var executed: [ExecutedStep] = []
    public private(set) var omitted = OmittedSteps()
    public static let keptSteps = 64
    public private(set) var outcome: ResponseOutcome?
    /// Called once when the response has ended one way or another.
    public var onFinish: ((Responder) -> Void)?
    /// Called when the client leaves before the response ended, so long work can stop.
    public var onClientGone: (() -> Void)?
    /// Strong until the response ends (`finish` lets go): the connection's queue holds its
    /// responders until then, and a weak reference would cost the connection a side table,
    /// which makes every retain and release of it take the slow path.
    private var connection: ServerConnection?

    enum Framing { case none, length, chunked, untilClose }
    private var headWritten = false
    private var framing = Framing.none
    private var closeAfterEnd = false

    init(request: HTTPRequest, peer: String, connection: ServerConnection?, loop: EventLoop?) {
        self.request = request
        self.peer = peer
        self.connection = connection
        self.loop = loop
        receivedAtMs = loop?.nowMs ?? 0
        // A plain answer is a head, a body and an end: one allocation instead of three.
        executed.reserveCapacity(4)
    }


    /// The status sent, if a head was written.
    public var sentStatus: Int? {
        for step in executed { if case .head(let s) = step.kind { return s } }
        return nil
    }

    public func send(_ steps: [WireStep]) {
        guard outcome == nil else { return }
        // Most answers are sent in one go: the script's own array is taken, not copied.
        if pendingIndex == pending.count {
            pending = steps
            pendingIndex = 0
        } else {
            pending.append(contentsOf: steps)
        }
        connection?.pump()
    }

    public func send(_ script: WireScript) { send(script.steps) }

    public func send(_ step: WireStep) { send([step]) }

    /// A deferred run being expanded: its pieces, and the piece made last.
    private var expanding: (pieces: DeferredSteps.Pieces, made: [WireStep], at: Int)?

    func nextStep() -> WireStep? {
        while true {
            if var e = expanding {
                if e.at < e.made.count {
                    let step = e.made[e.at]
                    e.at += 1
                    expanding = e
                    return step
                }
                guard let piece = e.pieces.next() else { expanding = nil; continue }
                e.made = piece
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
                expanding = (d.pieces(), [], 0)
                continue
            }
            return step
        }
    }

    /// Records a step executed at `nowMs` on the loop's clock (read now when not given).
    func record(_ kind: ExecutedStep.Kind, atMs nowMs: Double? = nil) {
        let step = ExecutedStep(atMs: (nowMs ?? loop?.nowMs ?? 0) - receivedAtMs, kind: kind)
        guard executed.count > Self.keptSteps else {
            // The record's last size is known: growing by doubling would leave 63 places
            // empty in every long stream's record (1.5 KB each, 15 MB over 10,000 streams).
            if executed.count == Self.keptSteps { executed.reserveCapacity(Self.keptSteps + 1) }
            return executed.append(step)
        }
        omitted.count(executed[Self.keptSteps])
        executed[Self.keptSteps] = step
    }

    /// Body bytes sent, the omitted steps' included.
    public var bodyBytes: Int {
        executed.reduce(omitted.bodyBytes) { total, step in
            if case .body(let n) = step.kind { return total + n }
            return total
        }
    }

    func finish(_ how: ResponseOutcome) {
        guard outcome == nil else { return }
        outcome = how
        pending = []
        expanding = nil
        connection = nil
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

    /// What the connection must do after a step has been written.
    enum Effect: Equatable {
        /// Go on with the next step.
        case next
        /// Send what is written, then wait this long before the next step.
        case wait(ms: Int)
        /// The response is complete; `close` when the connection may not carry another.
        case ended(close: Bool)
        case close
        case reset
        /// Send what is written, then nothing more, ever.
        case hang
    }

    /// Writes one step's bytes, records it, and says what the connection does next.
    /// `heads` gives the `Date` header's value, and the server's last head; `nowMs` is
    /// when the steps written together are written (read from the loop when not given).
    func perform(_ step: WireStep, into out: inout ByteBuffer, heads: ResponseHeads, nowMs: Double? = nil) -> Effect {
        switch step {
        case .wait(let ms):
            record(.waited(ms: ms), atMs: nowMs)
            return ms > 0 ? .wait(ms: ms) : .next
        case .head(let status, let headers):
            guard !headWritten else { return .next }
            writeHead(status: status, headers: headers, heads: heads, into: &out)
            record(.head(status: status), atMs: nowMs)
        case .body(let bytes):
            record(.body(bytes: bytes.count), atMs: nowMs)
            guard !bytes.isEmpty else { return .next }
            guard headWritten else { out.append(bytes); return .next }
            switch framing {
            case .none: break
            case .length, .untilClose: out.append(bytes)
            case .chunked:
                out.appendUTF8(String(bytes.count, radix: 16))
                out.append("\r\n")
                out.append(bytes)
                out.append("\r\n")
            }
        case .end:
            if headWritten, framing == .chunked { out.append("0\r\n\r\n") }
            record(.end, atMs: nowMs)
            return .ended(close: closeAfterEnd || framing == .untilClose)
        case .close:
            record(.close, atMs: nowMs)
            return .close
        case .reset:
            record(.reset, atMs: nowMs)
            return .reset
        case .hang:
            record(.hang, atMs: nowMs)
            return .hang
        case .raw(let bytes):
            record(.raw(bytes: bytes.count), atMs: nowMs)
            out.append(bytes)
        case .deferred:
            // nextStep expands these before they are performed.
            assertionFailure("a deferred step reached the executor")
        }
        return .next
    }

    /// The status line and headers, with the framing the request and headers call for.
    private func writeHead(status: Int, headers h: HTTPHeaders, heads: ResponseHeads, into out: inout ByteBuffer) {
        let date = heads.date()
        if heads.isKept(status: status, headers: h, request: request, date: date) {
            out.append(heads.bytes)
            framing = heads.framing
            closeAfterEnd = heads.closeAfterEnd
            headWritten = true
            return
        }
        let start = out.count
        // Written without copying the step's headers: the fields the server adds or
        // replaces go after the others, in the order Date, Transfer-Encoding, Connection.
        let bodiless = request.method == "HEAD" || status < 200 || status == 204 || status == 304
        let present = h.framingFields()
        var chunked = false
        if bodiless {
            framing = .none
        } else if present.contentLength {
            framing = .length
        } else if request.versionMinor == 0 && request.versionMajor == 1 {
            framing = .untilClose
        } else {
            chunked = true
            framing = .chunked
        }
        closeAfterEnd = !request.keepAlive || present.connection.map { HTTPHeaders.same($0, "close") } == true
        var connection: String?
        var replacesConnection = false
        if closeAfterEnd {
            if request.versionMinor >= 1, present.connection == nil { connection = "close" }
        } else if request.versionMinor == 0, framing != .untilClose {
            connection = "keep-alive"
            replacesConnection = true
        }
        out.append(HTTPStatus.statusLine(status))
        h.write(to: &out, except: chunked ? "Transfer-Encoding" : nil, replacesConnection ? "Connection" : nil)
        if !present.date { HTTPHeaders.writeField("Date", date, to: &out) }
        if chunked { HTTPHeaders.writeField("Transfer-Encoding", "chunked", to: &out) }
        if let connection { HTTPHeaders.writeField("Connection", connection, to: &out) }
        out.append("\r\n")
        headWritten = true
        heads.keep(status: status, headers: h, request: request, date: date, bytes: out.bytes(from: start), framing: framing, closeAfterEnd: closeAfterEnd)
    }
}

