import LabCore

/// One rule: which requests (`match`), when (`when`), and what goes wrong (`fault`).
public struct FaultRule: Sendable {
    public var name: String
    public var match: RequestMatch
    public var when: [any ScheduleCondition]
    /// Applied in their `order`; a rule may combine several (a delay and a status).
    public var faults: [any Fault]
    /// The rule as it was written, shown back by `GET /__lab/faults`.
    public var source: JSONValue

    public init(name: String, match: RequestMatch = RequestMatch(), when: [any ScheduleCondition] = [], faults: [any Fault], source: JSONValue = .null) {
        self.name = name
        self.match = match
        self.when = when.sorted { $0.order < $1.order }
        self.faults = faults.sorted { $0.order < $1.order }
        self.source = source
    }
}
