import LabCore

/// `first: N` — the first N matching requests.
public struct FirstSchedule: ScheduleCondition {
    public static let key = "first"
    public let count: Int
    public let order = 0
    public init(_ count: Int) { self.count = count }

    public static func parse(_ value: JSONValue, field: String, _ r: ConfigReader) throws(ConfigError) -> Self {
        Self(try r.int(value, field, min: 0))
    }

    public func fires(_ input: inout ScheduleInput, memory: inout Void) -> Bool { input.index <= count }
}
