import LabCore

/// `quota: {requests: 5, per_ms: 1000}` — the first 5 requests of each 1000 ms window
/// of lab time pass; the rest fire (by default a 429 whose Retry-After says when the
/// window rolls over).
public struct QuotaSchedule: ScheduleCondition {
    public static let key = "quota"
    public let limit: Int
    public let windowMs: Double
    public let order = 9

    /// The current window: when it started and how many requests it has seen.
    public struct Memory: Sendable {
        var windowStartMs = -1.0
        var count = 0
    }

    public init(limit: Int, windowMs: Double) {
        self.limit = limit
        self.windowMs = windowMs
    }

    public static func parse(_ value: JSONValue, field: String, _ r: ConfigReader) throws(ConfigError) -> Self {
        try r.keys(value, field, ["requests", "per_ms"])
        guard let requests = value["requests"], let per = value["per_ms"] else { throw r.fail(field, "expected {requests: N, per_ms: MS}") }
        return Self(limit: try r.int(requests, field + ".requests", min: 0), windowMs: Double(try r.ms(per, field + ".per_ms", min: 1)))
    }

    public func freshMemory() -> Memory { Memory() }

    public var impliedFault: (any Fault)? { StatusFault(status: 429) }

    public func fires(_ input: inout ScheduleInput, memory: inout Memory) -> Bool {
        let windowStart = (input.nowMs / windowMs).rounded(.down) * windowMs
        if windowStart != memory.windowStartMs {
            memory.windowStartMs = windowStart
            memory.count = 0
        }
        memory.count += 1
        guard memory.count > limit else { return false }
        input.retryAfterMs = max(1, Int((windowStart + windowMs - input.nowMs).rounded(.up)))
        return true
    }
}
