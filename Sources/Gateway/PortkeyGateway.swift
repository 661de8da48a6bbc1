import LabCore
import LabHTTP

public struct GatewayOptions {
    /// Loadbalance draws come from a generator seeded with this.
    public var seed: UInt64 = 0
    public var hostPolicy = CustomHostPolicy.fromEnvironment(nil)
    /// Where a `custom_host` really points. The lab maps the host names in real configs
    /// to its mock providers; nil means plain DNS.
    public var resolveHost: ((URLParts) -> URLParts)?
    /// Host names that do not resolve (the lab's `unreachable: dns`).
    public var unresolvable: Set<String> = []
    /// Requests the journal keeps (the latest ones).
    public var journalLimit = 100_000
    /// The `/__lab/` API (health, journal): loopback only without one.
    public var controlToken: String?
    /// The most bytes the gateway holds of one upstream answer: a whole unstreamed body,
    /// or one server-sent event not yet ended by its blank line. An upstream that sends
    /// more (a broken or hostile host beside a real deployment) is cut off and answered
    /// as a body that broke, instead of growing the lab's memory without end.
    public var upstreamBodyLimit = 64 << 20

    public init() {}
}

/// An embedded Portkey-compatible gateway: `POST /v1/chat/completions` and
/// `/v1/embeddings` with `x-portkey-config` (or `x-portkey-provider` +
/// `x-portkey-custom-host`), answered with the real gateway's statuses, bodies and
/// `x-portkey-*` headers.
public final class PortkeyGateway {
    public let http: HTTPServer
    public let journal: GatewayJournal
    public let options: GatewayOptions
    let loop: EventLoop
    let client: HTTPClient
    private var random: SeededRandom
    /// The seed and scenario the draws were last restarted from.
    private var drawsKey: (UInt64, String)?
    /// Requests being routed right now.
    public private(set) var inFlight = 0
    /// Configs already read, by the header values they came from: clients send the
    /// same config with every request, so it is parsed and checked once.
    private var intakeCache: [IntakeKey: PortkeyTarget] = [:]
    /// The last config read, compared before the dictionary is asked: a config header is a
    /// few hundred bytes, and comparing them (usually the very string the HTTP parser kept
    /// for the field) costs far less than hashing them.
    /// (Key and target kept apart: comparing the key then copies only the target.)
    private var lastIntakeKey: IntakeKey?
    private var lastIntakeTarget: PortkeyTarget?
    /// The last upstream URL split (`urlParts`).
    private var lastURL: (url: String, parts: URLParts)?
    /// The last client body read, with its tree: clients send the same body again and
    /// again (a retry, a load test, a health probe), and reading it cost some 3,800
    /// instructions of a routed request's 94,000, destroying the tree more. Only bodies up
    /// to `keptBodyBytes` are kept. (Bytes and tree apart: an optional pair would be copied
    /// through the runtime's generic witnesses.)
    private var lastBodyBytes: [UInt8] = []
    private var lastBody: JSONValue = .object([])
    static let keptBodyBytes = 16 * 1024
    /// The last upstream body made (`SentBody`).
    var lastSent: SentBody?

    /// The three headers a request's routing is read from (hashed as they are: joining
    /// them into one string first cost more than the lookup).
    private struct IntakeKey: Hashable {
        let config: String?
        let provider: String?
        let customHost: String?
    }
    /// For `/metrics`.
    private var answered = MetricCounters()
    private var fellBack = 0

    static let providers: Set<String> = ["openai", "anthropic", "azure-openai", "cohere", "google", "vertex-ai", "bedrock", "groq",
                                         "mistral-ai", "together-ai", "perplexity-ai", "deepseek", "fireworks-ai", "ollama", "huggingface"]

    public init(loop: EventLoop, host: String = "127.0.0.1", port: Int = 0, options: GatewayOptions = GatewayOptions()) throws {
        self.loop = loop
        self.options = options
        journal = GatewayJournal(limit: options.journalLimit)
        client = HTTPClient(loop: loop)
        random = SeededRandom(seed: options.seed, key: "gateway-loadbalance")
        http = try HTTPServer(loop: loop, host: host, port: port)
        http.errorScript = { status, text in
            WireScript.respond(status: status, headers: ["Content-Type": "application/json"],
                               body: JSONValue.object([("status", "failure"), ("message", .string(text))]).compactBytes)
        }
        http.handler = { [unowned self] request, responder in handle(request, responder) }
    }

    public var url: String { http.url }
    public var port: Int { http.port }

    /// Lab milliseconds on the loop's clock.
    public var nowMs: Double { loop.nowMs }

    func draw() -> Double { random.unit() }

    /// Restarts the loadbalance draws from the seed and `key` (a scenario's name), so a
    /// scenario draws the same whether it runs alone or after others.
    public func reseed(_ key: String, seed: UInt64? = nil) {
        drawsKey = (seed ?? options.seed, key)
        random = Self.loadbalanceRandom(seed: seed ?? options.seed, scenario: key)
    }

    /// The generator a scenario's loadbalance draws come from (also what `lab explain` predicts with).
    public static func loadbalanceRandom(seed: UInt64, scenario: String) -> SeededRandom {
        SeededRandom(seed: seed, key: "gateway-loadbalance\u{1}" + scenario)
    }

    public func shutdown() {
        http.shutdown()
        client.closeIdle()
    }

    /// An upstream URL taken apart, the last one's parts again when it is the same text:
    /// every attempt at a target sends to the same URL, and splitting it is a walk over
    /// its bytes that makes three strings.
    func urlParts(_ url: String) -> URLParts? {
        if let last = lastURL, last.url == url { return last.parts }
        let parts = URLParts(url)
        if let parts { lastURL = (url, parts) }
        return parts
    }

    /// A lab extension: a `lab run` against this gateway as an external one sends
    /// `x-lab-seed` and `x-lab-scenario`, and the draws restart as they do in a
    /// simulated run, so both draw the same. A real Portkey gateway ignores them.
    private func followLabDraws(_ routing: RoutingHeaders) {
        guard let scenario = routing.labScenario, let seed = routing.labSeed.flatMap({ UInt64($0) }) else { return }
        if let current = drawsKey, current.0 == seed, current.1 == scenario { return }
        reseed(scenario, seed: seed)
    }

    private func handle(_ request: HTTPRequest, _ responder: Responder) {
        if ControlAccess.isControl(request) { return responder.send(control(request, peer: responder.peer)) }
        if request.path == "/metrics", request.method == "GET" { return responder.send(metrics().script) }
        let routing = RoutingHeaders(request.headers)
        followLabDraws(routing)
        let endpoint: GatewayEndpoint
        switch (request.method, request.path) {
        case ("POST", "/v1/chat/completions"): endpoint = .chatComplete
        case ("POST", "/v1/embeddings"): endpoint = .embed
        case ("POST", "/v1/completions"): endpoint = .complete
        case ("GET", "/"), ("HEAD", "/"):
            return responder.send(WireScript.respond(status: 200, contentType: "text/plain; charset=UTF-8", body: "AI Gateway says hey!"))
        default:
            return responder.send(WireScript.respond(status: 404, contentType: "text/plain; charset=UTF-8", body: "404 Not Found"))
        }
        let entry = journal.open(atMs: nowMs, path: request.path)
        let target: PortkeyTarget
        let cacheKey = IntakeKey(config: routing.config, provider: routing.provider, customHost: routing.customHost)
        if lastIntakeKey == cacheKey, let last = lastIntakeTarget {
            target = last
        } else if let cached = intakeCache[cacheKey] {
            target = cached
            (lastIntakeKey, lastIntakeTarget) = (cacheKey, cached)
        } else {
            do {
                target = try Self.intake(request.headers, policy: options.hostPolicy)
            } catch {
                return reply(error.response, to: responder, entry: entry, traceID: routing.traceID)
            }
            if intakeCache.count >= 256 { intakeCache.removeAll() }
            intakeCache[cacheKey] = target
            (lastIntakeKey, lastIntakeTarget) = (cacheKey, target)
        }
        let body = clientBody(request.body)
        let metadata = routing.metadata.flatMap { try? JSONParser.parse($0) } ?? .object([])
        let bearer = routing.authorization.flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let now = loop.calendarTime
        let context = AnswerContext(strict: routing.strictCompliance != "false", created: Int(now.seconds),
                                    nowMs: Int(now.seconds) * 1000 + Int(now.nanos / 1_000_000))
        let run = GatewayRun(gateway: self, request: .init(
            endpoint: endpoint, body: body, bearer: bearer, context: context, stream: ChatParams(body).stream,
            headerProvider: routing.provider, headerCustomHost: routing.customHost,
            headerTimeoutMs: routing.requestTimeout.flatMap { Int($0) },
            routing: .init(metadata: metadata, params: body, pathname: request.path)), entry: entry)
        inFlight += 1
        var finished = false
        responder.onClientGone = { [weak self] in
            entry.clientGone = true
            run.cancel()
            if !finished { finished = true; self?.inFlight -= 1 }
        }
        // The closure keeps the one header it needs, not the whole request.
        let traceID = routing.traceID
        run.run(target, path: "config", inherited: Inherited()) { [weak self] result in
            guard let self else { return }
            if !finished { finished = true; inFlight -= 1 }
            if result.routed, result.fellBack { fellBack += 1 }
            reply(result, to: responder, entry: entry, traceID: traceID)
        }
    }

    /// The client's body as a tree (an empty object when it is not JSON, as the gateway
    /// reads it), the last one's again when the bytes are the same.
    func clientBody(_ bytes: [UInt8]) -> JSONValue {
        if !bytes.isEmpty, lastBodyBytes.hasSameBytes(as: bytes) { return lastBody }
        let body = (try? JSONParser.parse(bytes)) ?? .object([])
        if bytes.count <= Self.keptBodyBytes {
            lastBodyBytes = bytes
            lastBody = body
        }
        return body
    }

    /// Reads the config from the headers and checks it as the gateway's validator does.
    static func intake(_ headers: HTTPHeaders, policy: CustomHostPolicy) throws(GatewayFailure) -> PortkeyTarget {
        guard headers["x-portkey-config"] != nil || headers["x-portkey-provider"] != nil else {
            throw .badRequest("Either x-portkey-config or x-portkey-provider header is required")
        }
        if let provider = headers["x-portkey-provider"], !providers.contains(provider) { throw .badRequest("Invalid provider passed") }
        if let host = headers["x-portkey-custom-host"], !policy.allows(host) || addressesTheLab(host) { throw .badRequest("Invalid custom host") }
        if let raw = headers["x-portkey-config"] {
            guard let json = try? JSONParser.parse(Array(raw.utf8), maxDepth: Self.configMaxDepth) else {
                throw .badRequest("Invalid config passed. You need to pass a valid json")
            }
            return try read(json, policy: policy)
        }
        guard let provider = headers["x-portkey-provider"] else {
            throw .badRequest("Either x-portkey-config or x-portkey-provider header is required")
        }
        guard providers.contains(provider) else { throw .badRequest("Invalid provider passed") }
        var target = PortkeyTarget()
        target.provider = provider
        return target
    }

    /// A config as the validator reads it: the schema, then every custom host.
    static func read(_ json: JSONValue, policy: CustomHostPolicy) throws(GatewayFailure) -> PortkeyTarget {
        let target = try ConfigParser.parse(json)
        for host in target.customHosts where !policy.allows(host) || addressesTheLab(host) {
            throw .invalidConfig(["path: , message: Invalid custom host"])
        }
        return target
    }

    /// Configs nest deeper than request bodies may: Node parses a config of 1,000
    /// nested targets (two JSON levels each), so the gateway takes that much and a little
    /// more. Not more: routing recurses once per level, and a debug build's stack gave
    /// out near 1,400 levels.
    static let configMaxDepth = 2_010

    /// A custom host whose path or query reaches for `/__lab/` (the gateway appends the
    /// endpoint to it as text, so `http://127.0.0.1:P/__lab/down?` would POST there).
    /// A lab rule the real gateway does not have.
    static func addressesTheLab(_ customHost: String) -> Bool {
        let afterScheme = customHost.drop { $0 != "/" }.drop { $0 == "/" }
        guard let rest = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0 == "\\" }) else { return false }
        let tail = WHATWGURL.percentDecoded(String(afterScheme[rest...])) ?? String(afterScheme[rest...])
        return tail.lowercased().contains("__lab")
    }

    private func reply(_ result: UpstreamResult, to responder: Responder, entry: GatewayJournalEntry, traceID: String?) {
        entry.status = result.status
        answered.add(("status", "provider", "gateway_exception"),
                     (DecimalText.of(result.status), result.routed ? result.provider : "none", result.gatewayException ? "true" : "false"))
        entry.gatewayException = result.gatewayException
        // Made once at its size: the upstream's fields but the two the gateway drops, then
        // its own (copying the upstream's list to change it, then growing it, cost three
        // allocations).
        var headers = HTTPHeaders()
        headers.reserveCapacity(result.headers.count + 5)
        for (name, value) in result.headers where !HTTPHeaders.same(name, "Content-Length") && !HTTPHeaders.same(name, "Content-Encoding") {
            headers.add(name, value)
        }
        if result.routed {
            entry.lastUsedOptionIndex = result.indexPath
            entry.retryAttemptCount = result.retryCount
            headers.add("x-portkey-last-used-option-index", result.indexPath)
            headers.add("x-portkey-retry-attempt-count", DecimalText.of(result.retryCount))
            headers.add("x-portkey-trace-id", traceID ?? "")
            headers.add("x-portkey-provider", result.provider)
            headers.add("x-portkey-cache-status", "DISABLED")
        }
        guard let stream = result.stream else {
            entry.endMs = nowMs
            return responder.send([.head(status: result.status, headers: headers), .body(result.body), .end])
        }
        // The gateway holds the first chunk back 25 ms.
        responder.send([.head(status: result.status, headers: headers), .wait(ms: 25)])
        responder.onClientGone = { [weak entry] in
            entry?.clientGone = true
            stream.cancel()
        }
        stream.sink = { [weak self, unowned stream] event in
            switch event {
            case .data(let bytes): responder.send(.body(bytes))
            case .end:
                entry.endMs = self?.nowMs
                responder.send(.end)
                stream.sink = nil
            case .failed:
                // A stream that broke after it started cannot fall back: it simply ends.
                entry.truncated = true
                entry.endMs = self?.nowMs
                responder.send(.end)
                stream.sink = nil
            }
        }
    }
}

extension PortkeyGateway {
    /// `/__lab/health` and `/__lab/journal` (GET, DELETE), as on the fake providers.
    func control(_ request: HTTPRequest, peer: String) -> WireScript {
        ControlAccess(token: options.controlToken).journalAPI(request, peer: peer, health: {
            ["status": "ok", "component": "gateway", "in_flight": .int(inFlight),
             "requests": .int(journal.entries.count + journal.dropped), "journal_dropped": .int(journal.dropped)]
        }, journal: { journal.json }, clear: { journal.clear() })
    }
}

extension PortkeyGateway {
    /// `/metrics` in Prometheus's text format.
    func metrics() -> PrometheusText {
        var m = PrometheusText()
        m.family("lab_gateway_responses_total", "counter", "Answers to clients, by status, the provider that answered, and whether it was a gateway exception.", answered.samples)
        m.family("lab_gateway_fallbacks_total", "counter", "Answers that came from a target past the first of its group.", [([], Double(fellBack))])
        let attempts = journal.entries.reduce(0) { $0 + $1.attempts.count }
        m.gauge("lab_gateway_in_flight", "Requests being routed now.", Double(inFlight))
        m.gauge("lab_gateway_journal_entries", "Requests the journal holds now.", Double(journal.entries.count))
        m.gauge("lab_gateway_journal_attempts", "Attempts at targets recorded in the journal now.", Double(attempts))
        m.gauge("lab_open_connections", "Connections open now.", Double(http.openConnections), [("server", "gateway")])
        return m
    }
}
