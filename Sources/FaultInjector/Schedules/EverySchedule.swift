import LabCore

/// `every: N` — requests N, 2N, 3N, …
public struct EverySchedule: ScheduleCondition {
    public static let key = "every"
    public let period: Int
    public let order = 0
    public init(_ period: Int) { self.period = period }

    public static func parse(_ value: JSONValue, field: String, _ r: ConfigReader) throws(ConfigError) -> Self {
        Self(try r.int(value, field, min: 1))
    }

    public func fires(_ input: inout ScheduleInput, memory: inout Void) -> Bool { input.index % period == 0 }
}
