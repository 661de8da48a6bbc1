/// `requests: {from: 3, to: 6}` — matching requests 3 to 6, inclusive (either end optional).
public struct RequestWindowSchedule: ScheduleCondition {
    public let from: Int
    public let to: Int
    public let order = 0
    public init(from: Int?, to: Int?) {
        self.from = from ?? 1
        self.to = to ?? Int.max
    }
    public func fires(_ state: inout ScheduleState) -> Bool { (from...to).contains(state.index) }
}
