import LabCore

/// `time: {from_ms: 1000, to_ms: 5000}` (or `from_s`/`to_s`) — requests arriving in that
/// span of lab time since the provider started (from inclusive, to exclusive; either end optional).
public struct TimeWindowSchedule: ScheduleCondition {
    public static let key = "time"
    public let fromMs: Double
    public let toMs: Double
    public let order = 1
    public init(fromMs: Double?, toMs: Double?) {
        self.fromMs = fromMs ?? 0
        self.toMs = toMs ?? .infinity
    }

    public static func parse(_ value: JSONValue, field: String, _ r: ConfigReader) throws(ConfigError) -> Self {
        try r.keys(value, field, ["from_ms", "to_ms", "from_s", "to_s"])
        func bound(_ name: String) throws(ConfigError) -> Double? {
            let ms = try r.ms(value, key: name + "_ms", "\(field).\(name)_ms").map(Double.init)
            let s = try r.int(value, key: name + "_s", "\(field).\(name)_s", min: 0, max: ConfigReader.maxSeconds).map { Double($0) * 1000 }
            if ms != nil, s != nil { throw r.fail(field, "give \(name)_ms or \(name)_s, not both") }
            return ms ?? s
        }
        return Self(fromMs: try bound("from"), toMs: try bound("to"))
    }

    public func fires(_ input: inout ScheduleInput, memory: inout Void) -> Bool { input.nowMs >= fromMs && input.nowMs < toMs }
}
