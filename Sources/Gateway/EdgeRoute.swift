import LabCore
import LabHTTP

/// The route in front of the gateway (the OpenShift router in the original
/// deployment): a reverse proxy that gives up after a timeout with a 504 and a
/// router-style HTML page. The timeout counts silence from the upstream: until the
/// head, and between pieces of a streamed body.
public final class EdgeRoute {
    public struct Record {
        public let sequence: Int
        public let atMs: Double
        public let path: String
        public internal(set) var status: Int?
        /// The route answered 504 while the gateway was still working on the request.
        public internal(set) var timedOut = false
        public internal(set) var endMs: Double?

        public var json: JSONValue {
            func r(_ v: Double?) -> JSONValue { v.map { .double(($0 * 10).rounded() / 10) } ?? .null }
            return .object([("seq", .int(sequence)), ("at_ms", r(atMs)), ("path", .string(path)),
                            ("status", status.map(JSONValue.int) ?? .null), ("timed_out", .bool(timedOut)), ("end_ms", r(endMs))])
        }
    }

    public let http: HTTPServer
    public let upstream: URLParts
    public let timeoutMs: Int
    private var log = BoundedLog<Record>(limit: 100_000)
    public var records: [Record] { log.items }
    let loop: EventLoop
    let client: HTTPClient

    static let timeoutPage = "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n"
    static let badGatewayPage = "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"

    /// The `/__lab/` API (health, journal): loopback only without one.
    let controlToken: String?

    public init(loop: EventLoop, upstream: URLParts, timeoutMs: Int = 30_000, host: String = "127.0.0.1", port: Int = 0,
                controlToken: String? = nil) throws {
        self.loop = loop
        self.controlToken = controlToken
        self.upstream = upstream
        self.timeoutMs = timeoutMs
        client = HTTPClient(loop: loop)
        http = try HTTPServer(loop: loop, host: host, port: port)
        http.answersHalfClosedClients = true
        http.handler = { [unowned self] request, responder in forward(request, responder) }
    }

    public var url: String { http.url }
    /// Lab milliseconds on the loop's clock.
    public var nowMs: Double { loop.nowMs }

    public func shutdown() {
        http.shutdown()
        client.closeIdle()
    }

    private func update(_ position: Int, _ change: (inout Record) -> Void) {
        log.update(position, change)
    }

    /// Not relayed: they describe this connection, not the request. `Expect` too: the
    /// route's own server has answered it and sends the body on whole.
    static let hopByHop: Set<String> = ["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection", "content-length", "expect"]

    /// Records kept: the most recent ones (older ones go, ten percent at a time).
    public var recordLimit: Int {
        get { log.limit }
        set { log = BoundedLog(limit: newValue) }
    }
    private var sequence = 0
    /// 504s the route answered itself, since it started.
    private(set) var timeouts = 0

    private func forward(_ request: HTTPRequest, _ responder: Responder) {
        if ControlAccess.isControl(request) { return responder.send(control(request, peer: responder.peer)) }
        if request.path == "/metrics", request.method == "GET" { return responder.send(metrics().script) }
        sequence += 1
        // Where this request's record is, wherever trimming moves it.
        let position = log.append(Record(sequence: sequence, atMs: nowMs, path: request.path))
        var headers = HTTPHeaders()
        for field in request.headers where !Self.hopByHop.contains(field.name.lowercased()) { headers.add(field.name, field.value) }
        headers.set(HTTPHeaders.labRelay, "edge route")
        let outgoing = ClientRequest(method: request.method, host: upstream.host, port: upstream.port, target: request.target,
                                     headers: headers, body: request.body)
        let exchange = client.send(outgoing, timeouts: ClientTimeouts(connectMs: 10_000, responseMs: nil))
        var timer: Timer?
        var answered = false
        func arm() {
            timer?.close()
            timer = loop.after(ms: Double(timeoutMs)) { [weak self] in
                guard let self else { return }
                exchange.cancel()
                let now = nowMs
                update(position) { $0.endMs = now }
                if answered {
                    // Silence mid-body: the router drops the connection.
                    responder.send(.close)
                } else {
                    timeouts += 1
                    update(position) {
                        $0.status = 504
                        $0.timedOut = true
                    }
                    responder.send(WireScript.respond(status: 504, headers: ["Content-Type": "text/html", "Cache-Control": "no-cache"],
                                                      body: Array(Self.timeoutPage.utf8)))
                }
            }
        }
        arm()
        responder.onClientGone = {
            timer?.close()
            exchange.cancel()
        }
        exchange.onHead = { [weak self] head in
            answered = true
            self?.update(position) { $0.status = head.status }
            arm()
            var h = HTTPHeaders()
            for field in head.headers where !Self.hopByHop.contains(field.name.lowercased()) { h.add(field.name, field.value) }
            responder.send(.head(status: head.status, headers: h))
        }
        exchange.onBody = { bytes in
            arm()
            responder.send(.body(bytes))
        }
        exchange.onEnd = { [weak self] in
            timer?.close()
            guard let self else { return }
            let now = nowMs
            update(position) { $0.endMs = now }
            responder.send(.end)
        }
        exchange.onError = { [weak self] _ in
            timer?.close()
            guard let self else { return }
            let now = nowMs
            update(position) { $0.endMs = now }
            if answered {
                responder.send(.close)
            } else {
                update(position) { $0.status = 502 }
                responder.send(WireScript.respond(status: 502, headers: ["Content-Type": "text/html", "Cache-Control": "no-cache"],
                                                  body: Array(Self.badGatewayPage.utf8)))
            }
        }
    }
}

extension EdgeRoute {
    /// `/__lab/health` and `/__lab/journal` (GET, DELETE) of the route itself; nothing
    /// under `/__lab/` is passed on to the gateway.
    func control(_ request: HTTPRequest, peer: String) -> WireScript {
        ControlAccess(token: controlToken).journalAPI(request, peer: peer, health: {
            ["status": "ok", "component": "edge", "timeout_ms": .int(timeoutMs),
             "upstream": .string("http://" + displayAddress(upstream.host, upstream.port)),
             "requests": .int(log.items.count + log.dropped), "timed_out": .int(log.items.filter(\.timedOut).count)]
        }, journal: { .array(log.items.map(\.json)) }, clear: { log.removeAll() })
    }
}

extension EdgeRoute {
    /// `/metrics` in Prometheus's text format: answers by status, and the 504s the route gave itself.
    func metrics() -> PrometheusText {
        var byStatus = MetricCounters()
        for r in log.items { byStatus.add([("status", r.status.map(String.init) ?? "pending")]) }
        var m = PrometheusText()
        m.family("lab_edge_responses", "gauge", "Requests the route's journal holds now, by status.", byStatus.samples)
        m.family("lab_edge_timeouts_total", "counter", "504s the route answered itself because the gateway was silent too long.", [([], Double(timeouts))])
        m.gauge("lab_open_connections", "Connections open now.", Double(http.openConnections), [("server", "edge")])
        return m
    }
}
