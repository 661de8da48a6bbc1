/// `quota: {requests: 5, per_ms: 1000}` — the first 5 requests of each 1000 ms window
/// of lab time pass; the rest fire (by default a 429 whose Retry-After says when the
/// window rolls over).
public struct QuotaSchedule: ScheduleCondition {
    public let limit: Int
    public let windowMs: Double
    public let order = 9
    public init(limit: Int, windowMs: Double) {
        self.limit = limit
        self.windowMs = windowMs
    }

    public func fires(_ state: inout ScheduleState) -> Bool {
        let windowStart = (state.nowMs / windowMs).rounded(.down) * windowMs
        if windowStart != state.quotaWindowStartMs {
            state.quotaWindowStartMs = windowStart
            state.quotaCount = 0
        }
        state.quotaCount += 1
        guard state.quotaCount > limit else { return false }
        state.quotaRetryAfterMs = max(1, Int((windowStart + windowMs - state.nowMs).rounded(.up)))
        return true
    }
}
