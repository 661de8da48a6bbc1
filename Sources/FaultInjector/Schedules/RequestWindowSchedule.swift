import LabCore

/// `requests: {from: 3, to: 5}` — requests 3…5 (either end optional).
public struct RequestWindowSchedule: ScheduleCondition {
    public static let key = "requests"
    public let from: Int
    public let to: Int
    public let order = 0
    public init(from: Int?, to: Int?) {
        self.from = from ?? 1
        self.to = to ?? Int.max
    }

    public static func parse(_ value: JSONValue, field: String, _ r: ConfigReader) throws(ConfigError) -> Self {
        try r.keys(value, field, ["from", "to"])
        return Self(from: try r.int(value, key: "from", field + ".from", min: 1), to: try r.int(value, key: "to", field + ".to", min: 1))
    }

    public func fires(_ input: inout ScheduleInput, memory: inout Void) -> Bool { (from...to).contains(input.index) }
}
