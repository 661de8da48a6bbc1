/// `load:` in a scenario: requests arrive at a steady rate for a duration, whether or
/// not earlier ones have been answered — traffic as a service sees it. The report
/// cuts the run into windows of lab time.
public struct LoadPlan: Equatable, Sendable {
    public var ratePerSecond: Double
    public var durationS: Double
    public var windowS: Double

    public init(ratePerSecond: Double, durationS: Double, windowS: Double? = nil) {
        self.ratePerSecond = ratePerSecond
        self.durationS = durationS
        self.windowS = windowS ?? (durationS >= 600 ? 60 : max(durationS / 10, 0.001))
    }

    /// Requests the plan sends: one every `intervalMs`, the first at once.
    public var count: Int { max(1, Int((ratePerSecond * durationS).rounded(.down))) }
    public var intervalMs: Double { 1000 / ratePerSecond }

    /// Lab milliseconds from the scenario's start at which request `index` (0-based) is sent.
    public func sendAtMs(_ index: Int) -> Double { Double(index) * intervalMs }

    /// The most requests one scenario may ask for (memory for their outcomes).
    public static let maxRequests = 1_000_000
}
