import LabCore
import LabHTTP

/// `{"pacing": {"ttft_ms": 2000, "token_ms": 50, "stall_after_tokens": 5, "stall_ms": 10000}}`:
/// re-times a stream. Existing waits are replaced: the head and first chunk after
/// `ttft_ms`, every later chunk `token_ms` after the one before, and one stall of
/// `stall_ms` after `stall_after_tokens` chunks. `first_token_after_ms` sends the head at
/// once and the first token that long after it: "headers now, first token later", the
/// stall a client's header timeout does not see.
public struct PacingFault: FaultKind {
    public var ttftMs: Int?
    public var firstTokenAfterMs: Int?
    public var tokenMs: Int?
    public var stallAfterTokens: Int?
    public var stallMs: Int?
    public let order = 50

    public init(ttftMs: Int? = nil, tokenMs: Int? = nil, stallAfterTokens: Int? = nil, stallMs: Int? = nil, firstTokenAfterMs: Int? = nil) {
        self.ttftMs = ttftMs
        self.firstTokenAfterMs = firstTokenAfterMs
        self.tokenMs = tokenMs
        self.stallAfterTokens = stallAfterTokens
        self.stallMs = stallMs
    }

    public func filter(_ context: inout FaultContext) -> any StepFilter {
        Filter(pacing: self, waitBeforeNext: ttftMs)
    }

    private struct Filter: StepFilter {
        let pacing: PacingFault
        var waitBeforeNext: Int?
        var chunks = 0
        var sawHead = false
        let isDone = false

        mutating func take(_ step: WireStep, into out: inout [WireStep]) {
            let p = pacing
            switch step {
            case .wait(let ms):
                // Keep the script's own waits only where this fault sets no timing.
                let set = sawHead ? (chunks == 0 ? p.firstTokenAfterMs ?? p.tokenMs : p.tokenMs) : (p.firstTokenAfterMs != nil ? 0 : p.ttftMs)
                if set == nil { out.append(.wait(ms: ms)) }
            case .head:
                if let ttft = p.ttftMs, ttft > 0 { out.append(.wait(ms: ttft)) }
                waitBeforeNext = nil
                sawHead = true
                out.append(step)
            case .body:
                if chunks == 0, sawHead, let first = p.firstTokenAfterMs, first > 0 { out.append(.wait(ms: first)) }
                if chunks > 0, let w = waitBeforeNext ?? p.tokenMs, w > 0 { out.append(.wait(ms: w)) }
                waitBeforeNext = nil
                out.append(step)
                chunks += 1
                if let after = p.stallAfterTokens, let stall = p.stallMs, chunks == after, stall > 0 {
                    out.append(.wait(ms: stall))
                }
            default:
                out.append(step)
            }
        }

        mutating func finish(into out: inout [WireStep]) {}
    }
}

extension PacingFault {
    public static let keys = ["pacing"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        guard let p = fault["pacing"] else { return [] }
        try r.keys(p, "fault.pacing", ["ttft_ms", "token_ms", "stall_after_tokens", "stall_ms", "first_token_after_ms"])
        let f = PacingFault(ttftMs: try r.ms(p, key: "ttft_ms", "fault.pacing.ttft_ms"),
                            tokenMs: try r.ms(p, key: "token_ms", "fault.pacing.token_ms"),
                            stallAfterTokens: try r.int(p, key: "stall_after_tokens", "fault.pacing.stall_after_tokens", min: 1),
                            stallMs: try r.ms(p, key: "stall_ms", "fault.pacing.stall_ms"),
                            firstTokenAfterMs: try r.ms(p, key: "first_token_after_ms", "fault.pacing.first_token_after_ms"))
        if f.firstTokenAfterMs != nil, f.ttftMs != nil {
            throw r.fail("fault.pacing", "ttft_ms delays the headers and first_token_after_ms sends them at once: give one of them")
        }
        if (f.stallAfterTokens == nil) != (f.stallMs == nil) { throw r.fail("fault.pacing", "stall_after_tokens and stall_ms go together") }
        return [f]
    }
}
