/// How one attempt at a target ended, as the journal, the timeline and `lab explain`
/// tell it. The text is what reports print.
public enum AttemptOutcome: Equatable, Sendable, CustomStringConvertible {
    case inFlight
    /// The upstream answered with this status.
    case answered(Int)
    /// A 2xx whose body is not JSON: a gateway exception.
    case notJSON(Int)
    /// The head came, then the body broke.
    case brokeAfterHead(Int, String)
    /// `request_timeout` ran out before the head: the gateway's own 408.
    case timedOut(ms: Int)
    /// A streamed 2xx whose events are being relayed.
    case streamStarted(Int)
    /// No HTTP answer: `refused`, `reset`, `dns failure`, `closed before a response`…
    case network(String)
    /// The client left; the gateway stopped.
    case abandoned

    public var description: String {
        switch self {
        case .inFlight: return "in flight"
        case .answered(let s): return String(s)
        case .notJSON(let s): return "\(s) with a body that is not JSON"
        case .brokeAfterHead(let s, let why): return "\(s), then the body broke (\(why))"
        case .timedOut(let ms): return "408 (request_timeout \(ms) ms)"
        case .streamStarted: return "stream started"
        case .network(let name): return name
        case .abandoned: return "abandoned: the client left"
        }
    }
}

extension AttemptOutcome {
    /// The outcome a journal's text names (a journal read back from another gateway).
    public init(description text: String, status: Int?) {
        if text == "in flight" { self = .inFlight; return }
        if text == "stream started" { self = .streamStarted(status ?? 200); return }
        if text.hasPrefix("abandoned") { self = .abandoned; return }
        if text.hasPrefix("408 (request_timeout "), let ms = Int(text.dropFirst("408 (request_timeout ".count).prefix { $0.isNumber }) {
            self = .timedOut(ms: ms)
            return
        }
        if let s = Int(text) { self = .answered(s); return }
        if let s = status, text.hasPrefix("\(s) with a body") { self = .notJSON(s); return }
        if let s = status, text.hasPrefix("\(s), then the body broke ("), text.hasSuffix(")") {
            self = .brokeAfterHead(s, String(text.dropFirst("\(s), then the body broke (".count).dropLast()))
            return
        }
        self = .network(text)
    }
}
