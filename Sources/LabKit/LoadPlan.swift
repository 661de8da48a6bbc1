/// Requests that arrive on a schedule, whether or not earlier ones have been answered —
/// traffic as a service sees it: `load: { rate_per_s, duration_s }`, or
/// `requests: { count, every_ms }`. The report cuts the run into windows of lab time.
public struct LoadPlan: Equatable, Sendable {
    /// Requests the plan sends: one every `intervalMs`, the first at once.
    public var count: Int
    public var intervalMs: Double
    public var windowS: Double

    public init(count: Int, intervalMs: Double, windowS: Double? = nil) {
        self.count = max(1, count)
        self.intervalMs = intervalMs
        let durationS = Double(self.count) * intervalMs / 1000
        self.windowS = windowS ?? (durationS >= 600 ? 60 : max(durationS / 10, 0.001))
    }

    /// `rate_per_s` for `duration_s`: the whole number of requests that fit.
    public init(ratePerSecond: Double, durationS: Double, windowS: Double? = nil) {
        self.init(count: Int((ratePerSecond * durationS).rounded(.down)), intervalMs: 1000 / ratePerSecond, windowS: windowS)
    }

    /// Lab seconds the plan spans.
    public var durationS: Double { Double(count) * intervalMs / 1000 }
    public var ratePerSecond: Double { 1000 / intervalMs }

    /// Lab milliseconds from the scenario's start at which request `index` (0-based) is sent.
    public func sendAtMs(_ index: Int) -> Double { Double(index) * intervalMs }

    /// The most requests one scenario may ask for (memory for their outcomes).
    public static let maxRequests = 1_000_000
    /// The most report windows one plan may be cut into (a row each in the report).
    public static let maxWindows = 10_000
}

/// `down: { primary: { from_ms: 10000, for_ms: 5000 } }` in a scenario: from that lab
/// time on, the provider refuses connections, and comes back after `for_ms` (or at the
/// scenario's end without it).
public struct Outage: Equatable, Sendable {
    public var provider: String
    public var fromMs: Int
    public var forMs: Int?

    public init(provider: String, fromMs: Int, forMs: Int?) {
        self.provider = provider
        self.fromMs = fromMs
        self.forMs = forMs
    }
}
