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
