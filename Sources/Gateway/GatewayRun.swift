import LabCore
import LabHTTP

/// One client request through the config tree: strategies, retries, timeouts and
/// the provider calls, on the loop. The decisions themselves live in the pure
/// types (`FallbackRule`, `RetryPolicy`, `LoadBalancer`, `ConditionalRouter`) and in
/// each provider behind the `PortkeyProvider` seam; nothing here names a provider.
final class GatewayRun {
    struct Request {
        var endpoint: GatewayEndpoint
        var body: JSONValue
        /// The client's own `Authorization` bearer token, the key when a target names none.
        var bearer: String?
        var context = AnswerContext()
        var stream: Bool
        var headerProvider: String?
        var headerCustomHost: String?
        var headerTimeoutMs: Int?
        var routing: ConditionalRouter.Context
    }

    private unowned let gateway: PortkeyGateway
    private let request: Request
    let entry: GatewayJournalEntry
    private var exchange: ClientExchange?
    private var timer: Timer?
    private(set) var cancelled = false

    init(gateway: PortkeyGateway, request: Request, entry: GatewayJournalEntry) {
        self.gateway = gateway
        self.request = request
        self.entry = entry
    }

    /// The client left: stop calling providers.
    func cancel() {
        cancelled = true
        exchange?.cancel()
        timer?.close()
        for i in entry.attempts.indices where entry.attempts[i].endMs == nil {
            entry.attempts[i].endMs = gateway.nowMs
            entry.attempts[i].outcome = .abandoned
        }
        if entry.endMs == nil { entry.endMs = gateway.nowMs }
    }

    /// `config.targets[i]`, made once for a config's first level (most configs have no
    /// other), interpolated below it.
    static func childPath(_ path: String, _ i: Int) -> String {
        if path == "config", i < topLevelPaths.count { return topLevelPaths[i] }
        return "\(path).targets[\(i)]"
    }

    private static let topLevelPaths = (0..<16).map { "config.targets[\($0)]" }

    func run(_ t: PortkeyTarget, path: String, inherited: Inherited, _ done: @escaping (UpstreamResult) -> Void) {
        guard !cancelled else { return }
        let inh = inherited.entering(t)
        guard t.isGroup else { return runLeaf(t, path: path, inh, done) }
        guard !t.targets.isEmpty else { return done(GatewayFailure.exception(status: 500, message: "Something went wrong").response) }
        // The closures below capture the few fields they read, not the whole target: a
        // target is a struct of fifteen fields, and each capture would copy them all.
        let targets = t.targets
        func child(_ i: Int, _ next: @escaping (UpstreamResult) -> Void) {
            run(targets[i], path: Self.childPath(path, i), inherited: inh, next)
        }
        switch t.mode ?? .single {
        case .single:
            child(0, done)
        case .fallback:
            let onStatusCodes = t.onStatusCodes
            func attempt(_ i: Int) {
                child(i) { result in
                    if i == targets.count - 1 || FallbackRule.stops(result, onStatusCodes: onStatusCodes) {
                        if i > 0 { result.fellBack = true }
                        done(result)
                    } else {
                        attempt(i + 1)
                    }
                }
            }
            attempt(0)
        case .loadbalance:
            guard let i = LoadBalancer.pick(weights: t.targets.map(\.weight), draw: gateway.draw()) else {
                return done(GatewayFailure.exception(status: 500, message: "Every loadbalance target has weight 0, so none can be chosen (the real gateway never answers here)").response)
            }
            child(i, done)
        case .conditional:
            let chosen: String?
            do {
                chosen = try ConditionalRouter.route(t.conditions, default: t.defaultTarget, request.routing)
            } catch {
                return done(GatewayFailure.exception(status: 500, message: error.message).response)
            }
            guard let name = chosen, let i = t.targets.firstIndex(where: { $0.name == name }) else {
                return done(GatewayFailure.badRequest("Query router did not resolve to any valid target").response)
            }
            child(i, done)
        }
    }

    private func runLeaf(_ t: PortkeyTarget, path: String, _ inh: Inherited, _ done: @escaping (UpstreamResult) -> Void) {
        let name = t.provider ?? request.headerProvider ?? ""
        guard let provider = PortkeyProviders.named(name) else {
            return done(GatewayFailure.exception(status: 500, message: "provider '\(name)' is not available in the lab's embedded gateway (it speaks to \(PortkeyProviders.names))").response)
        }
        guard let endpointPath = provider.path(request.endpoint) else {
            return done(GatewayFailure.exception(status: 500, message: "\(request.endpoint.word) is not supported by \(name)").response)
        }
        let host = request.headerCustomHost ?? inh.customHost ?? provider.defaultBaseURL
        let sent: SentBody
        if let last = gateway.lastSent,
           last.isMade(from: request.body, overrides: inh.overrideParams, provider: name, endpoint: request.endpoint, host: host) {
            sent = last
        } else {
            let params = ParamRule.merged(request.body, overrides: inh.overrideParams)
            let body = provider.body(request.endpoint, params: params)
            sent = SentBody(source: request.body, overrides: inh.overrideParams, provider: name, endpoint: request.endpoint,
                            host: host, url: host + endpointPath, bytes: body.javaScriptCompactBytes,
                            changes: ParamChanges.notes(provider, request.endpoint, params: params, sent: body))
            gateway.lastSent = sent
        }
        let leaf = Leaf(path: path, url: sent.url, body: sent.bytes, provider: provider,
                        headers: provider.headers(apiKey: t.apiKey ?? request.bearer),
                        timeoutMs: request.headerTimeoutMs ?? inh.requestTimeoutMs, policy: RetryPolicy(inh.retry),
                        changes: sent.changes)
        attempt(leaf, try: 0, retryAfterBudgetMs: RetryPolicy.retryAfterBudgetMs, done)
    }

    /// A class, not a struct: the attempt's closures each capture it, and a struct of
    /// eight fields would be copied, field by field, into every one of them.
    private final class Leaf {
        let path: String
        let url: String
        let body: [UInt8]
        let provider: any PortkeyProvider
        let headers: HTTPHeaders
        let timeoutMs: Int?
        let policy: RetryPolicy
        let changes: [String]

        init(path: String, url: String, body: [UInt8], provider: any PortkeyProvider, headers: HTTPHeaders, timeoutMs: Int?,
             policy: RetryPolicy, changes: [String]) {
            self.path = path
            self.url = url
            self.body = body
            self.provider = provider
            self.headers = headers
            self.timeoutMs = timeoutMs
            self.policy = policy
            self.changes = changes
        }
    }

    private func attempt(_ leaf: Leaf, try n: Int, retryAfterBudgetMs: Int, _ done: @escaping (UpstreamResult) -> Void) {
        guard !cancelled else { return }
        call(leaf) { [self] result, networkError in
            guard !cancelled else { return }
            func finish(_ count: Int) {
                result.routed = !result.gatewayException
                result.provider = leaf.provider.name
                result.indexPath = leaf.path
                result.retryCount = count
                done(result)
            }
            let step = leaf.policy.step(afterTry: n, status: result.status, networkError: networkError,
                                        final: result.gatewayException || result.stream != nil,
                                        retryAfterMs: RetryPolicy.retryAfterMs { result.headers[$0] }, budgetLeftMs: retryAfterBudgetMs)
            switch step {
            case .finish(let count):
                finish(count)
            case let .wait(ms, reason, budget, thenFinish):
                sleep(ms, target: leaf.path, reason: reason) { [self] in
                    if let count = thenFinish { finish(count) } else { attempt(leaf, try: n + 1, retryAfterBudgetMs: budget, done) }
                }
            }
        }
    }

    private func sleep(_ ms: Int, target: String, reason: String, _ then: @escaping () -> Void) {
        entry.waits.append(.init(target: target, atMs: gateway.nowMs, ms: ms, reason: reason))
        timer = gateway.loop.after(ms: Double(ms)) { [weak self] in
            self?.timer = nil
            then()
        }
    }

    /// One HTTP call to the provider. Reports the result and whether it was a network error.
    private func call(_ leaf: Leaf, _ done: @escaping (UpstreamResult, Bool) -> Void) {
        let attemptIndex = entry.attempts.count
        entry.attempts.append(.init(target: leaf.path, url: leaf.url, startMs: gateway.nowMs, changes: leaf.changes))
        func record(_ outcome: AttemptOutcome, status: Int?, error: String? = nil) {
            entry.attempts[attemptIndex].endMs = gateway.nowMs
            entry.attempts[attemptIndex].outcome = outcome
            entry.attempts[attemptIndex].status = status
            entry.attempts[attemptIndex].error = error
        }
        let endpoint = request.endpoint, context = request.context
        func network(_ error: HTTPClientError, _ name: String) {
            let (status, text) = NodeFetchError.text(error)
            record(.network(name), status: status)
            // The gateway's catch answers text/plain, which then goes through the provider's transform.
            let body = leaf.provider.response(endpoint, status: status, contentType: "text/plain", body: Array(text.utf8), context) ?? .null
            done(UpstreamResult(status: status, headers: ["Content-Type": "application/json"], body: body.javaScriptCompactBytes), true)
        }
        // The request_timeout's clock runs across redirects, as the one abort timer does.
        let deadlineMs = leaf.timeoutMs.map { gateway.nowMs + Double($0) }
        send(url: leaf.url, method: "POST", body: leaf.body, headers: leaf.headers, redirects: 0)

        func send(url: String, method: String, body requestBody: [UInt8], headers extra: HTTPHeaders, redirects: Int) {
            guard let parts = gateway.urlParts(url) else {
                return network(.invalidURL(url), "invalid url")
            }
            if gateway.options.unresolvable.contains(parts.host.lowercased()) {
                return network(.nameNotResolved(parts.host), "dns failure")
            }
            let target = gateway.options.resolveHost?(parts) ?? parts
            var headers: HTTPHeaders = method == "POST" ? ["Content-Type": "application/json"] : HTTPHeaders()
            for (name, value) in extra.fields { headers.add(name, value) }
            headers.add("Host", parts.port == 80 ? parts.host : "\(parts.host):\(parts.port)")
            headers.add(HTTPHeaders.labRelay, "gateway")
            let outgoing = ClientRequest(method: method, host: target.host, port: target.port, target: parts.target,
                                         headers: headers, body: requestBody)
            let timeouts = ClientTimeouts(connectMs: 10_000, responseMs: deadlineMs.map { max(1, Int(($0 - gateway.nowMs).rounded(.up))) })
            let ex = gateway.client.send(outgoing, timeouts: timeouts)
            exchange = ex
            var head: ClientResponseHead?
            var body: [UInt8] = []
            var relay: StreamRelay?
            var sse = SSESplitter()
            var transform = leaf.provider.streamTransform(context)
            ex.onHead = { h in
                head = h
                let isStream = self.request.stream && (200...299).contains(h.status) && (h.headers["Content-Type"] ?? "").hasPrefix("text/event-stream")
                guard isStream else { return }
                record(.streamStarted(h.status), status: h.status)
                let r = StreamRelay()
                r.cancel = { ex.cancel() }
                relay = r
                var headers: HTTPHeaders = ["Content-Type": "text/event-stream"]
                for (name, value) in h.headers.fields where leaf.provider.passes(header: name) { headers.add(name, value) }
                done(UpstreamResult(status: h.status, headers: headers, body: [], stream: r), false)
            }
            let limit = gateway.options.upstreamBodyLimit
            ex.onBody = { bytes in
                guard let relay else {
                    guard body.count + bytes.count <= limit else {
                        ex.cancel()
                        let status = head?.status ?? 0
                        record(.brokeAfterHead(status, "body over \(limit) bytes"), status: status)
                        return done(GatewayFailure.exception(status: 500, message: "Something went wrong").response, false)
                    }
                    body += bytes
                    return
                }
                for event in sse.feed(bytes) {
                    switch transform.transform(event) {
                    case .emit(let out): relay.emit(.data(out))
                    case .skip: continue
                    case .fail:
                        relay.emit(.failed)
                        ex.cancel()
                        return
                    }
                }
                if sse.pendingBytes > limit {
                    relay.emit(.failed)
                    ex.cancel()
                }
            }
            ex.onEnd = {
                if let relay { relay.emit(.end); return }
                let status = head?.status ?? 0
                if let hop = FetchRedirect.next(status: status, location: head?.headers["Location"], from: url, method: method, body: requestBody) {
                    guard redirects < FetchRedirect.limit else { return network(.other("redirect count exceeded"), "redirect count exceeded") }
                    var carried = extra
                    if hop.dropsBody { carried.remove("Content-Type") }
                    if hop.crossOrigin { carried.remove("Authorization") }
                    return send(url: hop.url, method: hop.method, body: hop.body, headers: carried, redirects: redirects + 1)
                }
                guard let json = leaf.provider.response(endpoint, status: status, contentType: head?.headers["Content-Type"], body: body, context) else {
                    record(.notJSON(status), status: status)
                    return done(GatewayFailure.exception(status: 500, message: "Something went wrong").response, false)
                }
                let refusal = (200...299).contains(status) ? nil : json["error"]?["message"]?.stringValue
                record(.answered(status), status: status, error: refusal.map { String($0.prefix(200)) })
                var headers: HTTPHeaders = ["Content-Type": "application/json"]
                for (name, value) in head?.headers.fields ?? [] where leaf.provider.passes(header: name) { headers.add(name, value) }
                done(UpstreamResult(status: status, headers: headers, body: json.javaScriptCompactBytes), false)
            }
            ex.onError = { error in
                if let relay { relay.emit(.failed); return }
                if head != nil {
                    record(.brokeAfterHead(head!.status, "\(error)"), status: head!.status)
                    return done(GatewayFailure.exception(status: 500, message: "Something went wrong").response, false)
                }
                if error == .responseTimeout, let ms = leaf.timeoutMs {
                    record(.timedOut(ms: ms), status: 408)
                    let envelope = ErrorEnvelope.openAI(message: "Request exceeded the timeout sent in the request: \(ms)ms", type: "timeout_error")
                    return done(UpstreamResult(status: 408, headers: ["Content-Type": "application/json"], body: envelope.compactBytes), false)
                }
                network(error, Self.name(error))
            }
        }
    }

    static func name(_ error: HTTPClientError) -> String {
        switch error {
        case .refused: return "refused"
        case .reset: return "reset"
        case .closedBeforeResponse: return "closed before a response"
        case .closedMidBody: return "closed mid-body"
        case .nameNotResolved: return "dns failure"
        case .connectTimeout: return "connect timeout"
        default: return "\(error)"
        }
    }
}
