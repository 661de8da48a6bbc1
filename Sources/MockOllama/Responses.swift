import LabCore
import LabHTTP

enum Responses {
    static let ndjson = "application/x-ndjson"
    static let eventStream = "text/event-stream"

    static func json(_ surface: ErrorSurface, _ value: JSONValue, status: Int = 200) -> WireScript {
        json(surface, bytes: value.compactBytes, status: status)
    }

    static func json(_ surface: ErrorSurface, bytes: [UInt8], status: Int = 200) -> WireScript {
        WireScript.respond(status: status, contentType: surface.jsonContentType, body: bytes)
    }

    /// Ollama's 404 for a model it does not have (never pulled, or deleted).
    static func modelNotFound(_ surface: ErrorSurface, _ name: String) -> WireScript {
        error(surface, 404, MockOllama.modelNotFound(name))
    }

    /// `{"error":"msg"}` natively; `{"error":{"message","type","param","code"}}` on /v1.
    static func error(_ surface: ErrorSurface, _ status: Int, _ message: String) -> WireScript {
        json(surface, ErrorEnvelope.ollama(surface, status: status, message: message), status: status)
    }

    /// Gin's plain-text answers for unknown paths and methods.
    static func plain(_ status: Int, _ text: String) -> WireScript {
        WireScript.respond(status: status, contentType: "text/plain", body: text)
    }

    /// What Go's server answers a request target it cannot unescape (before any handler),
    /// and then it closes the connection.
    static let badTarget = WireScript.respond(status: 400, headers: ["Content-Type": "text/plain; charset=utf-8", "Connection": "close"],
                                              body: Array("400 Bad Request".utf8))

    /// Go's `http.Redirect`: GET gets a short HTML body, HEAD its headers, other methods
    /// only the Location. Gin redirects GET with 301 and the rest with 307.
    static func redirect(to path: String, query: String?, method: String, status: Int? = nil) -> WireScript {
        let location = path + (query.map { "?" + $0 } ?? "")
        let status = status ?? (method == "GET" ? 301 : 307)
        guard method == "GET" || method == "HEAD" else { return WireScript.respond(status: status, headers: ["Location": location], body: []) }
        let escaped = location.reduce(into: "") { out, c in
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        let body = method == "GET" ? Array("<a href=\"\(escaped)\">\(HTTPStatus.reason(status))</a>.\n\n".utf8) : []
        return WireScript.respond(status: status, headers: ["Content-Type": "text/html; charset=utf-8", "Location": location], body: body)
    }

    static func emptyOK() -> WireScript {
        WireScript.respond(status: 200, headers: HTTPHeaders(), body: [])
    }

    /// One NDJSON line.
    static func line(_ value: JSONValue) -> [UInt8] {
        var bytes = value.compactBytes
        bytes.append(10)
        return bytes
    }

    /// One server-sent event.
    static func event(_ value: JSONValue) -> [UInt8] {
        var bytes = Array("data: ".utf8)
        bytes.append(contentsOf: value.compactBytes)
        bytes.append(contentsOf: [10, 10])
        return bytes
    }

    static let doneEvent = Array("data: [DONE]\n\n".utf8)
}

/// Generation metrics in nanoseconds, consistent with the token counts and pacing.
struct Metrics: Equatable {
    var promptEvalCount: Int
    var evalCount: Int
    var loadDuration = 50_000
    var promptEvalDuration: Int
    var evalDuration: Int

    /// Nominal speeds when there is no pacing: 20 µs a prompt token, 10 µs a reply token;
    /// `loadMs` the model's load before this answer, if it had to load. Paced, the reply's
    /// tokens take `eval_count / tokens_per_second` and reading the prompt the rest of the
    /// time the last token leaves at (the first token is the first of those generated), so
    /// that `total_duration` is the time the answer took, as Ollama measures it, never more.
    init(promptTokens: Int, evalTokens: Int, pacing: Pacing, loadMs: Int = 0) {
        if loadMs > 0 { loadDuration = loadMs * 1_000_000 }
        promptEvalCount = promptTokens
        evalCount = evalTokens
        if let tps = pacing.tokensPerSecond, tps > 0 {
            evalDuration = Int(Double(evalTokens) * 1e9 / tps)
        } else {
            evalDuration = evalTokens * 10_000
        }
        let nominal = promptTokens * 20_000
        let lastTokenAt = pacing.tokenTimeMs(max(evalTokens - 1, 0)) * 1_000_000
        promptEvalDuration = pacing.timeToFirstTokenMs > 0 ? max(lastTokenAt - evalDuration, nominal) : nominal
    }

    /// How long the answer waited for a generation slot (Ollama's `total_duration` counts it).
    var slotWaitDuration = 0

    var totalDuration: Int { loadDuration + slotWaitDuration + promptEvalDuration + evalDuration }

    /// The same metrics for an answer that started `lateMs` after it could have.
    func starting(lateMs: Int) -> Metrics {
        var m = self
        m.slotWaitDuration = lateMs * 1_000_000
        return m
    }

    static let names = ["total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"]
    var values: [Int] { [totalDuration, loadDuration, promptEvalCount, promptEvalDuration, evalCount, evalDuration] }

    var fields: [(String, JSONValue)] { zip(Self.names, values).map { ($0, .int($1)) } }
}

/// Builds a paced stream: headers go out with the first token (as a Go server
/// flushes them), each token at its time, then the closing pieces.
public struct StreamBuilder {
    let contentType: String
    let pacing: Pacing
    /// Headers beside the content type (a vendor's request id and rate-limit headers).
    var headers: HTTPHeaders = HTTPHeaders()

    public init(contentType: String, pacing: Pacing, headers: HTTPHeaders = HTTPHeaders()) {
        self.contentType = contentType
        self.pacing = pacing
        self.headers = headers
    }

    /// `opening` pieces go with the head (an event stream's preamble), then one chunk per
    /// token, made only when it is sent: `chunk` must depend only on what it captured.
    public func script(tokenCount: Int, opening: [[UInt8]] = [], chunk: @escaping (Int) -> [UInt8], closing: [[UInt8]]) -> WireScript {
        script(tokenCount: tokenCount, opening: opening, chunk: chunk, closing: { closing })
    }

    /// The same with the closing pieces made when they are reached, like the chunks: an
    /// answer that may have waited for a generation slot writes its final times then.
    public func script(tokenCount: Int, opening: [[UInt8]] = [], chunk: @escaping (Int) -> [UInt8], closing: @escaping () -> [[UInt8]]) -> WireScript {
        var steps: [WireStep] = []
        let first = pacing.tokenTimeMs(0)
        if first > 0 { steps.append(.wait(ms: first)) }
        var head: HTTPHeaders = ["Content-Type": contentType]
        for (name, value) in headers.fields { head.add(name, value) }
        steps.append(.head(status: 200, headers: head))
        for piece in opening { steps.append(.body(piece)) }
        let pacing = self.pacing
        steps.append(.deferred(DeferredSteps(count: tokenCount) { i in
            let wait = i == 0 ? 0 : pacing.tokenTimeMs(i) - pacing.tokenTimeMs(i - 1)
            return wait > 0 ? [.wait(ms: wait), .body(chunk(i))] : [.body(chunk(i))]
        }))
        steps.append(.deferred(DeferredSteps(count: 1) { _ in closing().map(WireStep.body) }))
        steps.append(.end)
        return WireScript(steps)
    }

    /// A whole answer at once, after the time the generation would take.
    public func delayed(_ script: WireScript, tokenCount: Int) -> WireScript {
        let at = pacing.tokenTimeMs(max(tokenCount - 1, 0))
        return at > 0 ? WireScript([.wait(ms: at)] + script.steps) : script
    }

    /// The same for an answer that may wait for a generation slot: made when it is sent,
    /// from how late it started, so that its times count the wait.
    func delayed(tokenCount: Int, start: AnswerStart, _ make: @escaping (_ lateMs: Int) -> WireScript) -> WireScript {
        delayed(WireScript([.deferred(DeferredSteps(count: 1) { _ in make(start.lateMs).steps })]), tokenCount: tokenCount)
    }
}

extension WireScript {
    /// The same answer with CORS headers: `Vary` after the handler's own headers, the
    /// others before them (Go writes them sorted, and they sort around `Content-Type`).
    func addingHeaders(_ extra: [(String, String)]) -> WireScript {
        changingHead { own in
            var headers = HTTPHeaders(extra.filter { $0.0 != "Vary" })
            for (name, value) in own { headers.add(name, value) }
            for (name, value) in extra where name == "Vary" { headers.add(name, value) }
            own = headers
        }
    }
}
