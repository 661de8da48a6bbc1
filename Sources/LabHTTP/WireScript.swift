/// One thing a server does on the wire. Every response — a normal reply, a stream,
/// or a fault — is an ordered list of these; only the executor touches sockets.
public enum WireStep: Equatable, Sendable {
    /// Do nothing for this long, in lab milliseconds (the server's time scale applies).
    case wait(ms: Int)
    /// Status line and headers. Without a Content-Length the body is sent chunked.
    case head(status: Int, headers: HTTPHeaders)
    /// A piece of body: one HTTP chunk when chunked, so stream lines arrive as sent.
    case body([UInt8])
    /// The response is complete; the connection goes on to the next request.
    case end
    /// Close the connection gracefully (FIN) after what was written.
    case close
    /// Abort the connection with a TCP RST after what was written.
    case reset
    /// Never send anything more; the connection stays open until the client leaves.
    case hang
    /// Bytes written as they are, outside any framing (broken wire on purpose).
    case raw([UInt8])
}

/// An ordered list of wire steps, with builders for the common shapes.
public struct WireScript: Equatable, Sendable {
    public var steps: [WireStep]

    public init(_ steps: [WireStep] = []) { self.steps = steps }

    /// A complete response with a Content-Length.
    public static func respond(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]) -> WireScript {
        var h = headers
        h.set("Content-Length", String(body.count))
        return WireScript(body.isEmpty ? [.head(status: status, headers: h), .end] : [.head(status: status, headers: h), .body(body), .end])
    }

    public static func respond(status: Int, contentType: String, body: String) -> WireScript {
        respond(status: status, headers: ["Content-Type": contentType], body: Array(body.utf8))
    }

    /// Total time the script waits.
    public var totalWaitMs: Int {
        steps.reduce(0) { if case .wait(let ms) = $1 { return $0 + ms } else { return $0 } }
    }

    /// The status the script sends, if it sends a head.
    public var status: Int? {
        for step in steps { if case .head(let status, _) = step { return status } }
        return nil
    }
}

/// What the executor did, with when it did it, for the journal.
public struct ExecutedStep: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case waited(ms: Int)
        case head(status: Int)
        case body(bytes: Int)
        case end
        case close
        case reset
        case hang
        case raw(bytes: Int)
        /// The client closed or reset the connection while this response was pending.
        case clientGone
    }

    /// Milliseconds since the request was received.
    public let atMs: Double
    public let kind: Kind

    public init(atMs: Double, kind: Kind) {
        self.atMs = atMs
        self.kind = kind
    }

    public var summary: String {
        switch kind {
        case .waited(let ms): return "wait \(ms) ms"
        case .head(let status): return "head \(status)"
        case .body(let n): return "body \(n) B"
        case .end: return "end"
        case .close: return "close"
        case .reset: return "reset"
        case .hang: return "hang"
        case .raw(let n): return "raw \(n) B"
        case .clientGone: return "client gone"
        }
    }
}

extension ExecutedStep {
    /// The kind a `summary` names, for journals read back over the network.
    public static func parse(summary: String) -> Kind? {
        let words = summary.split(separator: " ")
        let n = words.count > 1 ? Int(words[1]) : nil
        switch (words.first ?? "", n) {
        case ("wait", let ms?): return .waited(ms: ms)
        case ("head", let s?): return .head(status: s)
        case ("body", let b?): return .body(bytes: b)
        case ("raw", let b?): return .raw(bytes: b)
        case ("end", nil): return .end
        case ("close", nil): return .close
        case ("reset", nil): return .reset
        case ("hang", nil): return .hang
        case ("client", _) where summary == "client gone": return .clientGone
        default: return nil
        }
    }
}

/// How a response ended.
public enum ResponseOutcome: Equatable, Sendable {
    case completed
    case closed
    case reset
    case clientGone
}

extension WireScript {
    /// What the script sends when nothing fails: its head's status (0 without one) and
    /// headers, and each body piece — the response a client reads, without sockets.
    public var sent: (status: Int, headers: HTTPHeaders, chunks: [[UInt8]]) {
        var out: (status: Int, headers: HTTPHeaders, chunks: [[UInt8]]) = (0, HTTPHeaders(), [])
        for step in steps {
            switch step {
            case .head(let status, let headers): out.status = status; out.headers = headers
            case .body(let bytes): out.chunks.append(bytes)
            default: break
            }
        }
        return out
    }
}
