/// `time: {from_ms: 1000, to_ms: 5000}` — requests arriving in that span of lab time
/// since the provider started (from inclusive, to exclusive; either end optional).
public struct TimeWindowSchedule: ScheduleCondition {
    public let fromMs: Double
    public let toMs: Double
    public let order = 1
    public init(fromMs: Double?, toMs: Double?) {
        self.fromMs = fromMs ?? 0
        self.toMs = toMs ?? .infinity
    }
    public func fires(_ state: inout ScheduleState) -> Bool { state.nowMs >= fromMs && state.nowMs < toMs }
}
