/// Which clock a loop keeps. Every read of time and every wait in the lab goes
/// through its loop, so this one value decides how time passes for all of it.
public enum LoopClock: Equatable, Sendable {
    /// Wall time, optionally scaled: lab milliseconds × `scale` = wall milliseconds.
    /// For a real gateway, a person driving `lab serve`, and `lab mock`.
    case real(scale: Double)
    /// Virtual time: it stands still while anything can run and jumps to the next
    /// deadline when nothing can. Bytes move through the loop's in-memory network.
    case simulated(SimulatedNetwork.Settings)

    public static let realTime = LoopClock.real(scale: 1)
    /// The slowest a real clock may be scaled (lab.conf's `time_scale`, `--time-scale`):
    /// past it a lab's longest wait would outlast the dates it writes.
    public static let maxScale = 1000.0
    public static let simulation = LoopClock.simulated(.init())

    public var isSimulated: Bool {
        if case .simulated = self { return true }
        return false
    }

    /// `real time`, `real time scaled ×0.01` or `simulated`, for reports.
    public var name: String {
        switch self {
        case .simulated: return "simulated"
        case .real(let scale) where scale == 1: return "real"
        case .real(let scale): return "real, scaled ×\(scale)"
        }
    }
}

/// A duration as a whole `UInt64` (nanoseconds, wall milliseconds), rounded, saturating at
/// half the range rather than trapping: a wait of 1e300 ms is "never", not a crash.
func saturatingUInt64(_ value: Double) -> UInt64 {
    let rounded = value.rounded()
    guard rounded > 0 else { return 0 }
    return rounded >= Double(UInt64.max / 2) ? UInt64.max / 2 : UInt64(rounded)
}
