import LabCore

/// `nth: [2, 5]` — exactly those requests.
public struct NthSchedule: ScheduleCondition {
    public static let key = "nth"
    public let indexes: Set<Int>
    public let order = 0
    public init(_ indexes: [Int]) { self.indexes = Set(indexes) }

    public static func parse(_ value: JSONValue, field: String, _ r: ConfigReader) throws(ConfigError) -> Self {
        guard case .array(let items) = value, !items.isEmpty else { throw r.fail(field, "expected a list of request numbers like [1, 3]") }
        var indexes: [Int] = []
        for item in items { indexes.append(try r.int(item, field, min: 1)) }
        return Self(indexes)
    }

    public func fires(_ input: inout ScheduleInput, memory: inout Void) -> Bool { indexes.contains(input.index) }
}
