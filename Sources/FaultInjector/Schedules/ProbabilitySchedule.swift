import LabCore

/// `probability: 0.3` — a seeded draw; the same seed and request order give the same picks.
public struct ProbabilitySchedule: ScheduleCondition {
    public static let key = "probability"
    public let p: Double
    public let order = 5
    public init(_ p: Double) { self.p = p }

    public static func parse(_ value: JSONValue, field: String, _ r: ConfigReader) throws(ConfigError) -> Self {
        guard let p = value.doubleValue, (0...1).contains(p) else { throw r.fail(field, "expected a number from 0 to 1, got \(value)") }
        return Self(p)
    }

    public func fires(_ input: inout ScheduleInput, memory: inout Void) -> Bool {
        let u = input.random.unit()
        input.draws.append(u)
        return u < p
    }
}
