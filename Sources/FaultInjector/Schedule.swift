import LabCore

/// One condition of a rule's `when`. A rule fires when every condition holds;
/// conditions are checked in `order`, so random draws and quota counting happen
/// only for requests the fixed conditions let through.
///
/// A condition reads itself (`key`, `parse`) and keeps its own memory between
/// requests (`Memory`, per rule, fresh when the rules are replaced or reset): adding a
/// schedule is one file with one of these, listed in `FaultCatalogue` by the build.
public protocol ScheduleCondition: Sendable {
    /// What a rule remembers for this condition between requests (most remember nothing).
    associatedtype Memory: Sendable = Void
    /// Its key under `when:`.
    static var key: String { get }
    /// Reads the condition from its value under `when:` (`field` names it in errors).
    static func parse(_ value: JSONValue, field: String, _ r: ConfigReader) throws(ConfigError) -> Self
    var order: Int { get }
    func freshMemory() -> Memory
    func fires(_ input: inout ScheduleInput, memory: inout Memory) -> Bool
    /// The fault a rule without `fault:` gets when this condition is in its `when` (a quota's 429).
    var impliedFault: (any Fault)? { get }
}

extension ScheduleCondition {
    public var impliedFault: (any Fault)? { nil }
}

extension ScheduleCondition where Memory == Void {
    public func freshMemory() {}
}

/// What a schedule decides on: counters and lab time, never the wall clock.
public struct ScheduleInput {
    /// 1-based number of requests that reached this rule and matched it, this one included.
    public var index: Int
    /// Lab milliseconds since the provider started (or its journal was cleared).
    public var nowMs: Double
    public var random: SeededRandom
    public var draws: [Double] = []
    /// Set by a condition that knows when requests pass again (a quota's window): lab
    /// milliseconds until then, which a 429 turns into Retry-After.
    public var retryAfterMs: Int?

    public init(index: Int, nowMs: Double, random: SeededRandom) {
        self.index = index
        self.nowMs = nowMs
        self.random = random
    }
}

/// One condition with its memory, as a rule holds it.
struct ScheduleSlot: Sendable {
    let condition: any ScheduleCondition
    var memory: any Sendable

    init(_ condition: any ScheduleCondition) {
        self.condition = condition
        memory = Self.fresh(condition)
    }

    private static func fresh<S: ScheduleCondition>(_ s: S) -> any Sendable { s.freshMemory() }

    mutating func fires(_ input: inout ScheduleInput) -> Bool {
        Self.run(condition, &input, &memory)
    }

    private static func run<S: ScheduleCondition>(_ s: S, _ input: inout ScheduleInput, _ memory: inout any Sendable) -> Bool {
        var m = memory as? S.Memory ?? s.freshMemory()
        defer { memory = m }
        return s.fires(&input, memory: &m)
    }
}
