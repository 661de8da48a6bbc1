/// `after: N` — every matching request after the first N.
public struct AfterSchedule: ScheduleCondition {
    public let count: Int
    public let order = 0
    public init(_ count: Int) { self.count = count }
    public func fires(_ state: inout ScheduleState) -> Bool { state.index > count }
}
