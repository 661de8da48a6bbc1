/// `nth: [2, 5]` — exactly those matching requests (1-based).
public struct NthSchedule: ScheduleCondition {
    public let indexes: Set<Int>
    public let order = 0
    public init(_ indexes: [Int]) { self.indexes = Set(indexes) }
    public func fires(_ state: inout ScheduleState) -> Bool { indexes.contains(state.index) }
}
