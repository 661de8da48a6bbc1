import LabCore
import LabHTTP

/// `{"delay_ms": 300}` or `{"delay": {"uniform": [100, 300]}}` /
/// `{"delay": {"lognormal": {"median_ms": 200, "sigma": 0.5}}}`: wait before the
/// first byte. Random delays draw from the lab's seeded generator.
public struct DelayFault: Fault {
    public enum Distribution: Sendable, Equatable {
        case fixed(Int)
        case uniform(Int, Int)
        case lognormal(medianMs: Double, sigma: Double)
    }

    public var distribution: Distribution
    public let order = 90

    public init(_ distribution: Distribution) { self.distribution = distribution }

    public func apply(to script: WireScript, _ context: inout FaultContext) -> WireScript {
        let ms: Int
        switch distribution {
        case .fixed(let v): ms = v
        case .uniform(let lo, let hi): ms = lo + Int((context.draw() * Double(hi - lo + 1)).rounded(.down))
        case .lognormal(let median, let sigma): ms = Int((median * exp(sigma * context.normal())).rounded())
        }
        guard ms > 0 else { return script }
        return WireScript([.wait(ms: ms)] + script.steps)
    }
}

import Glibc
