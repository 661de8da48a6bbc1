import LabCore
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
    /// Steps made only when the executor reaches them: a long stream costs its inputs,
    /// not its rendered bytes, while it is held open. `WireScript.materialized` expands them.
    case deferred(DeferredSteps)
}

/// Pieces of a script made only when they are read, in order: a stream's chunks made from
/// values captured when the answer was written, or such a stream as a fault transforms it.
/// Each reading (the executor sending it, `WireScript.materialized`) starts afresh and
/// gets the same steps.
public final class DeferredSteps: Equatable, @unchecked Sendable {
    private enum Source {
        case indexed(count: Int, make: (Int) -> [WireStep])
        case reading(() -> AnyIterator<[WireStep]>)
    }

    private let source: Source

    /// `count` pieces; `make` must depend only on what it captured: it runs when each
    /// piece is sent.
    public init(count: Int, make: @escaping (Int) -> [WireStep]) {
        source = .indexed(count: count, make: make)
    }

    /// Pieces from an iterator that `reading` makes anew for every reading.
    public init(reading: @escaping () -> AnyIterator<[WireStep]>) {
        source = .reading(reading)
    }

    /// The pieces from the first. Reading counted pieces allocates nothing: an open
    /// stream holds only its index.
    public func pieces() -> Pieces {
        switch source {
        case .indexed: return Pieces(steps: self, index: 0, reading: nil)
        case .reading(let make): return Pieces(steps: self, index: 0, reading: make())
        }
    }

    public struct Pieces: IteratorProtocol, Sequence {
        fileprivate let steps: DeferredSteps
        fileprivate var index: Int
        fileprivate let reading: AnyIterator<[WireStep]>?

        public mutating func next() -> [WireStep]? {
            if let reading { return reading.next() }
            guard case .indexed(let count, let make) = steps.source, index < count else { return nil }
            defer { index += 1 }
            return make(index)
        }
    }

    public static func == (a: DeferredSteps, b: DeferredSteps) -> Bool { a === b }
}

/// An ordered list of wire steps, with builders for the common shapes.
public struct WireScript: Equatable, Sendable {
    public var steps: [WireStep]

    public init(_ steps: [WireStep] = []) { self.steps = steps }

    /// A complete response with a Content-Length.
    public static func respond(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]) -> WireScript {
        var h = headers
        h.set("Content-Length", DecimalText.of(body.count))
        return respond(status: status, lengthNamedIn: h, body: body)
    }

    /// The same with only a content type: both fields made at once, no list grown or copied.
    public static func respond(status: Int, contentType: String, body: [UInt8]) -> WireScript {
        respond(status: status, lengthNamedIn: HTTPHeaders(fields: [(name: "Content-Type", value: contentType), (name: "Content-Length", value: DecimalText.of(body.count))]),
                body: body)
    }

    /// A complete response whose headers already carry the body's Content-Length: the head,
    /// the body if there is one, the end.
    public static func respond(status: Int, lengthNamedIn headers: HTTPHeaders, body: [UInt8]) -> WireScript {
        WireScript(body.isEmpty ? [.head(status: status, headers: headers), .end] : [.head(status: status, headers: headers), .body(body), .end])
    }

    public static func respond(status: Int, contentType: String, body: String) -> WireScript {
        respond(status: status, contentType: contentType, body: Array(body.utf8))
    }

    /// The same script with its head's fields changed: the first head among its steps (a
    /// script without one, a fault's hang or reset, is left as it is).
    public func changingHead(_ change: (inout HTTPHeaders) -> Void) -> WireScript {
        var script = self
        for i in steps.indices {
            guard case .head(let status, var headers) = steps[i] else { continue }
            change(&headers)
            script.steps[i] = .head(status: status, headers: headers)
            break
        }
        return script
    }

    /// The same script with every deferred piece made.
    public var materialized: WireScript {
        guard steps.contains(where: { if case .deferred = $0 { return true } else { return false } }) else { return self }
        return WireScript(Array(reading))
    }

    /// The steps one at a time, deferred pieces made (in a reading of their own) only as
    /// they are reached: a reader that stops early makes no more than it read.
    public var reading: Reading { Reading(steps: steps) }

    public struct Reading: IteratorProtocol, Sequence {
        private let steps: [WireStep]
        private var index = 0
        private var pieces: DeferredSteps.Pieces?
        private var piece: [WireStep] = []
        private var at = 0

        init(steps: [WireStep]) { self.steps = steps }

        public mutating func next() -> WireStep? {
            while true {
                if at < piece.count {
                    defer { at += 1 }
                    return piece[at]
                }
                if let next = pieces?.next() {
                    piece = next
                    at = 0
                    continue
                }
                pieces = nil
                guard index < steps.count else { return nil }
                let step = steps[index]
                index += 1
                guard case .deferred(let d) = step else { return step }
                pieces = d.pieces()
                piece = []
                at = 0
            }
        }
    }

    /// Total time the script waits.
    public var totalWaitMs: Int {
        reading.reduce(0) { if case .wait(let ms) = $1 { return $0 + ms } else { return $0 } }
    }

    /// The status the script sends, if it sends a head; deferred pieces are made only
    /// until the head comes.
    public var status: Int? {
        for step in reading { if case .head(let status, _) = step { return status } }
        return nil
    }
}

/// Executed steps a record no longer lists one by one: how many, and the body bytes among them.
public struct OmittedSteps: Equatable, Sendable {
    public var steps = 0
    public var bodyBytes = 0

    public init(steps: Int = 0, bodyBytes: Int = 0) {
        self.steps = steps
        self.bodyBytes = bodyBytes
    }

    mutating func count(_ step: ExecutedStep) {
        steps += 1
        if case .body(let n) = step.kind { bodyBytes += n }
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
        for step in materialized.steps {
            switch step {
            case .head(let status, let headers): out.status = status; out.headers = headers
            case .body(let bytes): out.chunks.append(bytes)
            default: break
            }
        }
        return out
    }
}
