import LabCore
import LabHTTP

/// A fake Ollama server's logic: request in, wire script out. No sockets here;
/// `lab mock` and the lab runner put it behind an `HTTPServer`.
public final class MockOllama {
    /// How Ollama words a model it does not have.
    public static func modelNotFound(_ name: String) -> String { "model '\(name)' not found" }

    public let options: MockOptions
    public let catalogue: ModelCatalogue
    let replies: ReplyGenerator
    let embedder: Embedder
    let access: AccessPolicy
    /// Where `created_at` and `created` come from; a provider sets its loop's calendar.
    public var clock: () -> WallTime
    var completionCounter = 0
    /// The wall time the current request is answered at; every timestamp of one answer derives from it.
    var now = WallTime(seconds: 0, nanos: 0)
    /// Models in memory or loading, for `/api/ps` and the loads. A handful at most: a scan
    /// that compares keys costs less than hashing one on every request.
    var resident: [ModelResidency] = []
    /// Until when Ollama's scheduler waits for a model to leave memory to make room for
    /// another: every request that needs a model waits with it.
    var schedulerFreeAt: WallTime?
    /// When each request waiting for the scheduler will be taken: Ollama's queue of pending
    /// requests, which `OLLAMA_MAX_QUEUE` bounds.
    var waitingForScheduler: [WallTime] = []
    /// Numbers the answers that use a model, so that their ends can be reported.
    var ticketCounter = 0
    /// The ticket of the answer being written, if it uses a model.
    var ticket: Int?
    /// The model whose runner generates the answer being written (its generation slots):
    /// nil when nothing is generated (a refusal, an empty request that only loads a model).
    var generating: String?
    /// Answers may be held back for a generation slot: each generation gets a `start`.
    var answersWait = false
    /// When the answer being written starts, if it may wait for a slot.
    var start: AnswerStart?
    /// How many times each model has loaded, in the order they first did: a count that only
    /// grows (`/metrics`), so that a run shows models taking turns.
    public private(set) var loadCounts: [(model: String, loads: Int)] = []
    /// The load the request being answered waits for.
    var loadWaitMs = 0
    /// The wait put before the last answer for its model (a load, and room for it).
    var modelWaitMs = 0
    /// Bodies decoded lately, kept for the clients that send them again.
    var recentBodies = RecentBodies()
    /// The path routed last and its route (`knownRoute`).
    private var lastRoute: (path: String, route: Route)?
    /// The last path that needed no unescaping, cleaning or redirect (`answerNow`): a
    /// client asks one endpoint again and again, and the checks run over its bytes.
    private var lastPlainPath: String?
    /// The last transcript made, the messages it was made from (`transcript(of:)`), and
    /// the plain answer given to them once they came again (`plainReply`).
    var lastTranscript: (messages: [ChatMessage], transcript: Conversation, plainReply: PlainReply?)?
    /// The ends of the last final native chat object and OpenAI chat answer (`ReplyTail`).
    var nativeFinalTail = ReplyTail<ReplyBytes.NativeFinalTail>()
    var openAICompletionTail = ReplyTail<ReplyBytes.OpenAICompletionTail>()
    var jsonHead = KeptJSONHead()
    var finalSecond = LastSecond()

    public init(options: MockOptions = MockOptions(), clock: @escaping () -> WallTime = WallClock.now) throws {
        self.options = options
        self.clock = clock
        catalogue = ModelCatalogue(options.models, capabilities: options.capabilities, contextLengths: options.contextLengths)
        replies = try ReplyGenerator(seed: options.seed, cannedAnswers: options.cannedAnswers)
        embedder = Embedder(seed: options.seed)
        access = try AccessPolicy(extraOrigins: options.origins, machine: options.hostCheck)
    }

    /// A route answers with its script and the model the request named (nil where none).
    private typealias Route = (methods: [String], handler: @Sendable (MockOllama, HTTPRequest) -> (WireScript, String?))

    private static let routes: [String: Route] = [
        "/": (["GET", "HEAD"], { _, _ in (WireScript.respond(status: 200, contentType: "text/plain; charset=utf-8", body: "Ollama is running"), nil) }),
        "/api/version": (["GET", "HEAD"], { m, _ in (Responses.json(.native, ["version": .string(m.options.version)]), nil) }),
        "/api/tags": (["GET", "HEAD"], { m, _ in (m.tags(), nil) }),
        "/api/ps": (["GET"], { m, _ in (m.ps(), nil) }),
        "/api/show": (["POST"], { m, r in m.withBody(r, .native, m.show) }),
        "/api/chat": (["POST"], { m, r in m.withBody(r, .native, m.chat) }),
        "/api/generate": (["POST"], { m, r in m.withBody(r, .native, m.generate) }),
        "/api/embed": (["POST"], { m, r in m.withBody(r, .native, m.embed) }),
        "/api/embeddings": (["POST"], { m, r in m.withBody(r, .native, m.legacyEmbeddings) }),
        "/api/pull": (["POST"], { m, r in m.withBody(r, .native, m.pull) }),
        "/api/copy": (["POST"], { m, r in m.withBody(r, .native, m.copy) }),
        "/api/delete": (["DELETE"], { m, r in m.withBody(r, .native, m.delete) }),
        "/v1/models": (["GET"], { m, _ in (m.openAIModels(), nil) }),
        "/v1/chat/completions": (["POST"], { m, r in m.withBody(r, .ollamaOpenAI, m.openAIChat) }),
        "/v1/completions": (["POST"], { m, r in m.withBody(r, .ollamaOpenAI, m.openAICompletion) }),
        "/v1/embeddings": (["POST"], { m, r in m.withBody(r, .ollamaOpenAI, m.openAIEmbeddings) }),
        "/v1/responses": (["POST"], { m, r in m.withBody(r, .ollamaOpenAI, m.openAIResponses) }),
    ]

    /// The answer to one request, and the model it asked for (read while parsing, so
    /// callers need not parse the body again). In Ollama's order: Go's server refuses a
    /// target it cannot unescape; Go's ServeMux redirects a path that is not clean
    /// (`//api/chat`, `/api/./tags`); gin routes on the unescaped path and redirects a
    /// trailing slash before any middleware; then the CORS and Host checks; then the route.
    public func answer(to request: HTTPRequest) -> (script: WireScript, model: String?) {
        now = clock()
        loadWaitMs = 0
        ticket = nil
        generating = nil
        start = nil
        modelWaitMs = 0
        let (script, model) = answerNow(request)
        // A generation that had to load its model first: nothing leaves before the load ends.
        guard loadWaitMs > 0, script.status == 200 else { return (script, model) }
        modelWaitMs = loadWaitMs
        return (WireScript([.wait(ms: loadWaitMs)] + script.steps), model)
    }

    private func answerNow(_ request: HTTPRequest) -> (script: WireScript, model: String?) {
        let path: String
        if let last = lastPlainPath, last == request.path {
            path = last
        } else {
            guard let unescaped = request.path.unescapedPath else { return (Responses.badTarget, nil) }
            // `OPTIONS *` is Go's server's own to answer: an empty 200.
            if request.target == "*", request.method == "OPTIONS" { return (WireScript.respond(status: 200, body: []), nil) }
            let clean = Self.cleanPath(request.path)
            if clean != request.path {
                // ServeMux's redirect: 301 whatever the method (a client that follows it with a
                // GET then meets 405 on a POST route).
                return (Responses.redirect(to: clean, query: request.query, method: request.method, status: 301), nil)
            }
            if let redirect = trailingSlashRedirect(unescaped, request) { return (redirect, nil) }
            path = unescaped
            // Whether a path with a trailing slash redirects depends on the method: only
            // paths without one are kept.
            // The request's own string is kept: the next request's path is then usually that
            // very string (the server hands on one per target), compared by identity.
            if unescaped == request.path, !Self.endsInSlash(unescaped) { lastPlainPath = request.path }
        }
        let origin = request.headers["Origin"]
        // Most requests carry no Origin and meet no Host check: nothing more to look at.
        guard origin != nil || access.checksHost else { return route(request, path) }
        switch access.verdict(method: request.method, origin: origin, host: request.headers["Host"]) {
        case .answer(let status, let headers):
            let head = HTTPHeaders(headers)
            // Gin's bare abort: a 403 says its empty length, a 204 has none to say.
            return (status == 204 ? WireScript([.head(status: 204, headers: head), .end]) : WireScript.respond(status: status, headers: head, body: []), nil)
        case .serve(let headers):
            let (script, model) = route(request, path)
            return (headers.isEmpty ? script : script.addingHeaders(headers), model)
        }
    }

    private func route(_ request: HTTPRequest, _ path: String) -> (script: WireScript, model: String?) {
        if let route = knownRoute(path) {
            guard route.methods.contains(request.method) else { return (Responses.plain(405, "405 method not allowed"), nil) }
            let (script, model) = route.handler(self, request)
            return (script, model)
        }
        // `/v1/models/:model`: one path segment.
        if let id = Self.modelID(path) {
            guard request.method == "GET" else { return (Responses.plain(405, "405 method not allowed"), nil) }
            return (openAIModel(id), nil)
        }
        return (Responses.plain(404, "404 page not found"), nil)
    }

    /// The route of a path, the last one's when the path is the same: a client asks one
    /// endpoint again and again, and comparing the path costs less than hashing it.
    private func knownRoute(_ path: String) -> Route? {
        if let last = lastRoute, last.path == path { return last.route }
        guard let route = Self.routes[path] else { return nil }
        lastRoute = (path, route)
        return route
    }

    /// Go's `cleanPath` on the path as sent: one slash between segments, `.` and `..`
    /// resolved, a trailing slash kept.
    static func cleanPath(_ path: String) -> String {
        if isClean(path) { return path }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let clean = "/" + segments.joined(separator: "/")
        return path.hasSuffix("/") && clean != "/" ? clean + "/" : clean
    }

    /// One pass over the bytes (this runs on every request): a leading slash, and no
    /// segment before the last that is empty, `.` or `..`.
    private static func isClean(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { bytes in
            guard bytes.first == UInt8(ascii: "/") else { return false }
            var segment = 0, dots = 0
            for i in 1...bytes.count {
                guard i == bytes.count || bytes[i] == UInt8(ascii: "/") else {
                    segment += 1
                    if bytes[i] == UInt8(ascii: ".") { dots += 1 }
                    continue
                }
                // A segment of only one or two dots, or an empty one before another slash.
                if segment > 0 ? dots == segment && dots <= 2 : i < bytes.count { return false }
                segment = 0
                dots = 0
            }
            return true
        }
    }

    private static func modelID(_ path: String) -> String? {
        let prefix = "/v1/models/"
        guard path.hasPrefix(prefix), path.count > prefix.count else { return nil }
        let id = path.dropFirst(prefix.count)
        return id.contains("/") ? nil : String(id)
    }

    /// Gin's `RedirectTrailingSlash`: `/api/tags/` has no route, but the same method has
    /// `/api/tags`, so the client is sent there — 301 for GET, 307 (body kept) for the rest.
    private func trailingSlashRedirect(_ path: String, _ request: HTTPRequest) -> WireScript? {
        guard Self.endsInSlash(path) else { return nil }
        let bare = String(path.dropLast())
        let served = Self.routes[bare].map { $0.methods.contains(request.method) } ?? (Self.modelID(bare) != nil && request.method == "GET")
        guard served else { return nil }
        return Responses.redirect(to: bare, query: request.query, method: request.method)
    }

    /// A path longer than `/` that ends in one (read from its bytes: `utf8.last` walks back).
    private static func endsInSlash(_ path: String) -> Bool {
        var bytes = path
        return bytes.withUTF8 { $0.count > 1 && $0[$0.count - 1] == UInt8(ascii: "/") }
    }

    /// The answer to one request, as a wire script.
    public func respond(to request: HTTPRequest) -> WireScript { answer(to: request).script }

    /// Decodes a JSON object body the way Ollama's handlers do, with their errors.
    private func withBody<Body: GoRequest>(_ request: HTTPRequest, _ surface: ErrorSurface,
                                           _ handler: (Body) -> WireScript) -> (WireScript, String?) {
        guard !request.body.isEmpty else { return (Responses.error(surface, 400, surface == .native ? "missing request body" : "EOF"), nil) }
        if let kept = recentBodies.find(request.body, as: Body.self) { return (handler(kept.body), kept.model) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body)
        } catch {
            return (Responses.error(surface, 400, error.message), nil)
        }
        guard case .object = value else {
            return (Responses.error(surface, 400, "json: cannot unmarshal \(value.typeName) into Go value of type \(Body.goType)"), nil)
        }
        // Go fills a field from its key in any case (`"Model"` is the model); the journal
        // names the model even when the body is refused.
        let (body, wrong) = GoDecoding.read(value, Body.goStruct)
        let model = body["model"]?.stringValue ?? body["name"]?.stringValue
        if let wrong { return (Responses.error(surface, 400, wrong.message), model) }
        let typed = Body(body)
        recentBodies.keep(request.body, typed, model: model)
        return (handler(typed), model)
    }

    public func unloadModels() {
        resident = []
        schedulerFreeAt = nil
        waitingForScheduler = []
    }

    /// Ollama's answer, a 503, when its scheduler's queue is full (`OLLAMA_MAX_QUEUE`).
    static let serverBusy = "server busy, please try again.  maximum pending requests exceeded"

    /// The models in memory now (loading ones included).
    public var modelsInMemory: Int {
        let at = clock()
        return resident.filter { $0.inMemory(at: at) }.count
    }

    func residency(_ key: String) -> Int? {
        resident.firstIndex { $0.key == key }
    }

    /// Out of memory at once (`/api/delete`): the next request for it loads it again.
    func unload(_ key: String) {
        resident.removeAll { $0.key == key }
    }

    /// Marks the model in use from now by the answer being written (its `ticket`). A model
    /// not in memory (never loaded, or idle past its keep-alive) first loads for its pacing's
    /// `loadMs`; a request that comes while it loads waits for the rest. With a limit on
    /// models in memory (`OLLAMA_MAX_LOADED_MODELS`), a load first makes room as Ollama's
    /// scheduler does: the model with the shortest keep-alive goes, an idle one first, once
    /// its answers end, and meanwhile every request waits. The wait goes before the answer
    /// (`answer(to:)`), and the answer is written as of when the model is ready.
    /// `keepAlive` is the request's (nanoseconds), nil when it gave none. False, with nothing
    /// changed, when the request would wait for the scheduler and its queue is full: the
    /// handler answers `serverBusy`.
    func markLoaded(_ model: MockModel, keepAlive: Int? = nil) -> Bool {
        let key = model.name.key
        let arrival = now
        var at = schedulerFreeAt.map { max($0, now) } ?? now
        if at > now {
            waitingForScheduler.removeAll { $0 <= now }
            guard waitingForScheduler.count < options.maxQueue else { return false }
            waitingForScheduler.append(at)
        }
        var found = residency(key)
        if found == nil || !resident[found!].inMemory(at: at) {
            resident.removeAll { !$0.inMemory(at: at) }
            while let limit = options.maxLoadedModels, resident.count >= limit {
                let victim = Self.roomFrom(resident, at: at)
                at = max(at, resident[victim].foreseenIdle)
                resident.remove(at: victim)
                schedulerFreeAt = at
                resident.removeAll { !$0.inMemory(at: at) }
            }
            resident.append(ModelResidency(key, loadingFrom: at, forMs: options.pacing(for: model.name).loadMs, keepAlive: options.keepAlive))
            found = resident.count - 1
            if let i = loadCounts.firstIndex(where: { $0.model == key }) { loadCounts[i].loads += 1 } else { loadCounts.append((key, 1)) }
        }
        ticketCounter += 1
        ticket = ticketCounter
        generating = key
        if answersWait { start = AnswerStart() }
        let wait = resident[found!].use(at: at, ticket: ticketCounter, keepAlive: keepAlive)
        loadWaitMs = at.millisecondsAfter(arrival) + wait
        now = arrival.adding(milliseconds: loadWaitMs)
        return true
    }

    /// The model Ollama's scheduler unloads to make room (`findRunnerToUnload`): by keep-alive,
    /// shortest first (for ever last), the first idle one, else the first; ties in load order.
    static func roomFrom(_ models: [ModelResidency], at now: WallTime) -> Int {
        let order = models.indices.sorted { models[$0].keepAlive != models[$1].keepAlive ? models[$0].keepAlive < models[$1].keepAlive : $0 < $1 }
        return order.first { !models[$0].isBusy(at: now) } ?? order[0]
    }

    /// The answer being written is planned to end `ms` after it starts: what making room for
    /// another model counts on until the answer's end is reported.
    func answerLasts(_ model: MockModel, ms: Int) {
        guard let ticket, let i = residency(model.name.key) else { return }
        resident[i].plan(ticket, from: now, lastingMs: ms)
    }

    /// The answer with this ticket has ended (sent, cut, or its client gone): its model's
    /// keep-alive counts from now once no other answer is under way.
    public func answerEnded(_ ticket: Int) {
        let at = clock()
        for i in resident.indices where resident[i].end(ticket, at: at) { return }
    }

    /// `keep_alive: 0` with nothing to generate: the model leaves memory once its answers end.
    func expire(_ model: MockModel) {
        guard let i = residency(model.name.key) else { return }
        resident[i].expire(at: now)
        if !resident[i].inMemory(at: now) { resident.remove(at: i) }
    }

    /// `created_at` of an answer written now.
    func timestamp() -> String { now.rfc3339 }

    func nextCompletionNumber() -> Int {
        defer { completionCounter += 1 }
        return completionCounter % 999
    }

    /// `chatcmpl-N` for the next chat completion: the 999 of them made once (each is a small
    /// string, kept inline; interpolating one cost some 500 instructions an answer).
    func nextChatCompletionID() -> String { Self.chatCompletionIDs[nextCompletionNumber()] }

    private static let chatCompletionIDs = (0..<999).map { "chatcmpl-\($0)" }
}

extension String {
    /// The path as Go's URL parser unescapes it (`%2F` → `/`, `%74` → `t`), or nil when a
    /// `%` is not followed by two hex digits, which Go's server refuses with a 400.
    var unescapedPath: String? {
        var text = self
        guard text.withUTF8({ $0.contains(UInt8(ascii: "%")) }) else { return self }
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        let bytes = Array(utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "%") else { out.append(bytes[i]); i += 1; continue }
            guard i + 2 < bytes.count, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) else { return nil }
            out.append(high << 4 | low)
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
