import LabCore

/// One condition of a rule's `when`. A rule fires when every condition holds;
/// conditions are checked in `order`, so random draws and quota counting happen
/// only for requests the fixed conditions let through.
public protocol ScheduleCondition: Sendable {
    var order: Int { get }
    func fires(_ state: inout ScheduleState) -> Bool
}

/// What a schedule decides on: counters and lab time, never the wall clock.
public struct ScheduleState {
    /// 1-based number of requests that reached this rule and matched it, this one included.
    public var index: Int
    /// Lab milliseconds since the provider started (or its journal was cleared).
    public var nowMs: Double
    public var random: SeededRandom
    public var draws: [Double] = []
    /// The rule's quota window: when it started and how many requests it has seen.
    public var quotaWindowStartMs: Double
    public var quotaCount: Int
    /// Set when a quota fires: lab milliseconds until its window rolls over.
    public var quotaRetryAfterMs: Int?
}
