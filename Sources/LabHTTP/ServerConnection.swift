import LabCore

/// One accepted connection: parses requests, hands them to the server's handler,
/// and runs the responses strictly in request order — each `Responder` writes its
/// own steps' bytes; this sends them, keeps the waits and closes. This and its
/// `ByteStream` are the only code that writes to a server connection.
final class ServerConnection {

    private let server: HTTPServer
    private let stream: ByteStream
    private let parser: HTTPMessageParser
    private let peer: String
    private var queue: [Responder] = []
    private var body: [UInt8] = []
    /// Requests read in the last go, each taken out (not copied) when it is handed over.
    private var completed: [HTTPRequest] = []
    private var readingPaused = false
    private var dead = false
    /// The client has sent its last byte but may still read our answers.
    private var halfClosed = false
    private var pumping = false
    private var repump = false

    // The head response is waiting out a step, or will send nothing more.
    private var waitTimer: Timer?
    private var hanging = false
    private var out = ByteBuffer()
    /// True while this connection's own read is handled: what its answers write then waits
    /// for the end of the loop's turn (`EndOfTurn`), unless a step sends it sooner.
    private var reading = false
    private var held = false
    /// Holds each request's headers to the server's time limit. Armed once and left to
    /// run rather than stopped and re-armed for every request (a timer heap's insert and
    /// removal per request): when it fires it checks the current request's deadline and
    /// re-arms for what is left of it, or rests until the next request begins.
    private var headerTimer: Timer?
    private var headerTimerArmed = false
    /// When the request being read must have sent its headers; nil once they are in.
    private var headerDeadlineMs: Double?

    init(server: HTTPServer, stream: ByteStream) {
        self.server = server
        self.stream = stream
        self.peer = stream.peerDescription
        parser = HTTPMessageParser(kind: HTTP_REQUEST_KIND, maxHeaderBytes: server.limits.maxHeaderBytes, recentTarget: server.recentTarget)
    }

    func start() {
        let maxBody = server.limits.maxBodyBytes
        let headerTimeout = Double(server.limits.headerTimeoutMs)
        // Each closure calls one method: every use of an unowned `self` inside a closure
        // costs a check and a retain. The parser's are `unowned(unsafe)`: the parser is this
        // connection's own and calls them only while `didRead` runs on it.
        parser.onBegin = { [unowned(unsafe) self] in messageBegan(headerTimeoutMs: headerTimeout) }
        parser.onHead = { [unowned(unsafe) self] in headReady(maxBody: maxBody) }
        parser.onBody = { [unowned(unsafe) self] chunk in bodyArrived(chunk, maxBody: maxBody) }
        parser.onComplete = { [unowned(unsafe) self] in messageComplete() }
        // Strong on purpose: the stream drops these closures when it closes, which frees us.
        stream.onRead = { [self] bytes in didRead(bytes) }
        stream.onEnd = { [self] error in peerGone(error) }
        stream.startReading()
    }

    private func messageBegan(headerTimeoutMs: Double) {
        headerDeadlineMs = server.loop.nowMs + headerTimeoutMs
        guard !headerTimerArmed else { return }
        armHeaderTimer(afterMs: headerTimeoutMs)
    }

    private func armHeaderTimer(afterMs: Double) {
        if headerTimer == nil { headerTimer = Timer(loop: server.loop) }
        headerTimerArmed = true
        headerTimer?.start(afterMs: afterMs, onHeaderTimer)
    }

    private lazy var onHeaderTimer: () -> Void = { [unowned self] in headerTimerFired() }

    private func headerTimerFired() {
        headerTimerArmed = false
        guard let deadline = headerDeadlineMs else { return }
        let left = deadline - server.loop.nowMs
        if left > 0 { armHeaderTimer(afterMs: left) } else { headersTooSlow() }
    }

    // The timers' closures hold this connection unowned, not weak: a weak reference gives
    // it a side table, and every retain and release of it then takes the slow path. Closed
    // here, a timer can never call a closure whose connection is gone.
    deinit {
        headerTimer?.close()
        waitTimer?.close()
    }

    private func headReady(maxBody: Int) -> Bool {
        headerDeadlineMs = nil
        body.removeAll(keepingCapacity: true)
        if let declared = parser.head.contentLength, declared > maxBody {
            parser.failBody()
        } else if let expect = parser.head.expect {
            answerExpectation(expect)
        }
        return false
    }

    /// `Expect: 100-continue` as Go's net/http (Ollama) answers it: on HTTP/1.1 with a
    /// body to come, an interim `100 Continue` so that the client sends the body now
    /// instead of after its own wait (curl waits a second); any other expectation is
    /// refused with 417. Node (the Portkey gateway) also sends the 100 and refuses the rest.
    private func answerExpectation(_ expect: String) {
        let head = parser.head
        let continues = expect.split(separator: ",").contains { HTTPHeaders.same(String($0).trimmingSpaces, "100-continue") }
        guard continues else { return parser.failExpectation() }
        // With answers still owed on the connection (or requests read in the same go and
        // not yet handed over) the 100 would go out ahead of them; the client then sends
        // the body after its own wait, as it would to a busy server.
        guard head.hasBody, head.versionMajor == 1, head.versionMinor >= 1, queue.isEmpty, completed.isEmpty else { return }
        flush()  // an earlier answer's bytes held for the end of the turn go first
        stream.write(Self.continueLine)
    }

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private func bodyArrived(_ chunk: UnsafeRawBufferPointer, maxBody: Int) -> Bool {
        guard body.count + chunk.count <= maxBody else {
            parser.failBody()
            return false
        }
        // A body usually arrives whole: made at its size in one copy.
        if body.isEmpty { body = Array(chunk) } else { body.append(contentsOf: chunk) }
        return true
    }

    private func messageComplete() {
        completed.append(HTTPRequest(head: parser.head, body: body, keepAlive: parser.lastKeepAlive))
        body = []
    }

    private func didRead(_ bytes: UnsafeRawBufferPointer) {
        reading = true
        defer { reading = false }
        let ok = parser.feed(bytes)
        // Each moved out as it is handed over, the list keeping its storage for the next
        // read. One request a read is the rule: taken from the end (no elements to shift,
        // and no optional destroyed through the runtime's generic witnesses).
        if completed.count == 1 {
            let request = completed.removeLast()
            if !dead { dispatch(request) }
        } else {
            while !completed.isEmpty {
                let request = completed.removeFirst()
                if !dead { dispatch(request) }
            }
        }
        if !ok, !dead { rejectUnparsable() }
    }

    /// Takes the request: it moves into its responder, and the handler reads it there
    /// (a copy is a retain of each of its five strings and arrays, and their release).
    /// Without the responder's lifetime made explicit around the call, the compiler
    /// copies the request for it anyway.
    private func dispatch(_ request: consuming HTTPRequest) {
        let responder = Responder(request: consume request, peer: peer, connection: self, loop: server.loop)
        queue.append(responder)
        if queue.count >= server.limits.maxPipelined, !readingPaused {
            readingPaused = true
            stream.stopReading()
        }
        withExtendedLifetime(responder) { server.handler(responder.request, responder) }
        pump()
    }

    private func headersTooSlow() {
        guard !dead else { return }
        reject(status: 408, text: "408 Request Timeout: the request headers took longer than \(server.limits.headerTimeoutMs) ms")
    }

    /// Answers a request the parser refused, after the responses already owed, then closes.
    private func rejectUnparsable() {
        let (status, text): (Int, String)
        switch parser.failure {
        case .headersTooLarge: (status, text) = (431, "431 Request Header Fields Too Large")
        case .bodyTooLarge: (status, text) = (413, "413 Request Entity Too Large")
        case .expectationFailed: (status, text) = (417, "417 Expectation Failed")
        case .invalid(_, let description): (status, text) = (400, "400 Bad Request: \(description)")
        case nil: return
        }
        reject(status: status, text: text)
    }

    private func reject(status: Int, text: String) {
        stream.stopReading()
        headerTimer?.close()
        headerTimer = nil
        // The head may never have completed (headers too large or too slow): use what was read.
        let line = parser.inMessage ? parser.partialRequestLine : (parser.head.method, parser.head.url)
        let request = HTTPRequest(method: line.0.isEmpty ? "?" : line.0, target: line.1,
                                  headers: parser.inMessage ? HTTPHeaders() : parser.head.headers, keepAlive: false)
        let responder = Responder(request: request, peer: peer, connection: self, loop: server.loop)
        queue.append(responder)
        let script = server.errorScript?(status, text) ?? WireScript.respond(status: status, contentType: "text/plain; charset=utf-8", body: text)
        let steps = script.changingHead { $0.set("Connection", "close") }.steps
        server.onRejected?(responder, status)
        responder.send(steps + [.close])
    }

    /// Runs the head response's steps until one has to wait (a timer, more steps, a drain).
    func pump() {
        if pumping { repump = true; return }
        pumping = true
        defer { pumping = false }
        repeat {
            repump = false
            // One reading of the clock for the steps written together: they go out together.
            let nowMs = server.loop.nowMs
            while !dead, waitTimer == nil, !hanging, let responder = queue.first, let step = responder.nextStep() {
                execute(step, for: responder, nowMs: nowMs)
            }
        } while repump && !dead
        if reading, !held, !out.isEmpty, !dead, server.loop.endOfTurn?.hold(self) == true {
            held = true
        } else if !held {
            flush()
        }
    }

    /// The end of the turn: what was held goes out.
    func sendHeld() {
        held = false
        flush()
    }

    private func execute(_ step: WireStep, for responder: Responder, nowMs: Double) {
        switch responder.perform(step, into: &out, heads: server.heads, nowMs: nowMs) {
        case .next: break
        case .wait(let ms):
            flush()
            waitTimer = server.loop.after(ms: Double(ms)) { [unowned self] in
                waitTimer = nil
                pump()
            }
        case .ended(let close):
            let closing = close || (halfClosed && queue.count == 1)
            finishHead(.completed)
            if closing {
                flush()
                die(.closed, reset: false)
            } else if readingPaused, !halfClosed, queue.count < server.limits.maxPipelined {
                readingPaused = false
                stream.startReading()
            }
        case .close:
            flush()
            die(.closed, reset: false)
        case .reset:
            flush()
            die(.reset, reset: true)
        case .hang:
            flush()
            hanging = true
        }
    }

    private func finishHead(_ outcome: ResponseOutcome) {
        guard !queue.isEmpty else { return }
        // Most connections owe one answer at a time: taken from the end, no range replaced.
        let responder = queue.count == 1 ? queue.removeLast() : queue.removeFirst()
        hanging = false
        responder.finish(outcome)
    }

    private func flush() {
        guard !out.isEmpty else { return }
        out.withUnsafeBytes { stream.write($0) }
        out.removeAll()
    }

    /// Ends the connection from our side; the head response gets `how`, later ones were never answered.
    private func die(_ how: ResponseOutcome, reset: Bool) {
        end { [stream] in
            if reset { stream.whenDrained { stream.reset() } } else { stream.close() }
        } outcome: { i in i == 0 ? how : .closed }
    }

    /// The client closed its side or reset the connection.
    private func peerGone(_ error: UVError?) {
        if error == nil, server.answersHalfClosedClients, !queue.isEmpty, !parser.inMessage, !dead {
            halfClosed = true
            return
        }
        end { [stream] in stream.closeHandle() } outcome: { _ in .clientGone }
    }

    /// Stops timers, closes the socket, and finishes every response still owed.
    private func end(closing: () -> Void, outcome: (Int) -> ResponseOutcome) {
        guard !dead else { return }
        dead = true
        headerTimer?.close()
        waitTimer?.close()
        waitTimer = nil
        let owed = queue
        queue = []
        closing()
        for (i, responder) in owed.enumerated() { responder.finish(outcome(i)) }
    }

    /// Server shutdown.
    func abort() {
        guard !dead else { return }
        die(.closed, reset: false)
    }
}

import CHTTPParser
let HTTP_REQUEST_KIND = HTTP_REQUEST
let HTTP_RESPONSE_KIND = HTTP_RESPONSE
