/// `every: N` — the Nth, 2Nth, 3Nth… matching request.
public struct EverySchedule: ScheduleCondition {
    public let period: Int
    public let order = 0
    public init(_ period: Int) { self.period = period }
    public func fires(_ state: inout ScheduleState) -> Bool { state.index % period == 0 }
}
