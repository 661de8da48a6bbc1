/// `probability: 0.3` — a seeded draw; the same seed and request order give the same picks.
public struct ProbabilitySchedule: ScheduleCondition {
    public let p: Double
    public let order = 5
    public init(_ p: Double) { self.p = p }
    public func fires(_ state: inout ScheduleState) -> Bool {
        let u = state.random.unit()
        state.draws.append(u)
        return u < p
    }
}
