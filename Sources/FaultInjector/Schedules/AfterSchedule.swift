import LabCore

/// `after: N` — request N+1 onwards.
public struct AfterSchedule: ScheduleCondition {
    public static let key = "after"
    public let count: Int
    public let order = 0
    public init(_ count: Int) { self.count = count }

    public static func parse(_ value: JSONValue, field: String, _ r: ConfigReader) throws(ConfigError) -> Self {
        Self(try r.int(value, field, min: 0))
    }

    public func fires(_ input: inout ScheduleInput, memory: inout Void) -> Bool { input.index > count }
}
