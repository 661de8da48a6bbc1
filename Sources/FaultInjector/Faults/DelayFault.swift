import LabCore
import LabHTTP

/// `{"delay_ms": 300}` or `{"delay": {"uniform": [100, 300]}}` /
/// `{"delay": {"lognormal": {"median_ms": 200, "sigma": 0.5}}}`: wait before the
/// first byte. Random delays draw from the lab's seeded generator.
public struct DelayFault: FaultKind {
    public enum Distribution: Sendable, Equatable {
        case fixed(Int)
        case uniform(Int, Int)
        case lognormal(medianMs: Double, sigma: Double)
    }

    public var distribution: Distribution
    public let order = 90

    public init(_ distribution: Distribution) { self.distribution = distribution }

    public func filter(_ context: inout FaultContext) -> any StepFilter {
        let ms: Int
        switch distribution {
        case .fixed(let v): ms = v
        case .uniform(let lo, let hi): ms = lo + Int((context.draw() * Double(hi - lo + 1)).rounded(.down))
        case .lognormal(let median, let sigma):
            // The tail is long: a wide sigma can draw past any wait a lab can hold.
            ms = Int(min((median * exp(sigma * context.normal())).rounded(), Double(ConfigReader.maxMs)))
        }
        return Ahead(wait: ms > 0 ? ms : nil)
    }

    /// The wait, then the script.
    private struct Ahead: StepFilter {
        var wait: Int?
        let isDone = false

        mutating func take(_ step: WireStep, into out: inout [WireStep]) {
            finish(into: &out)
            out.append(step)
        }

        mutating func finish(into out: inout [WireStep]) {
            if let ms = wait { out.append(.wait(ms: ms)) }
            wait = nil
        }
    }
}

import Glibc

extension DelayFault {
    public static let keys = ["delay_ms", "delay"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        var out: [any Fault] = []
        if let ms = fault["delay_ms"] { out.append(DelayFault(.fixed(try r.ms(ms, "fault.delay_ms")))) }
        if let d = fault["delay"] { out.append(DelayFault(try distribution(d, r))) }
        return out
    }

    static func distribution(_ d: JSONValue, _ r: ConfigReader) throws(ConfigError) -> Distribution {
        if let ms = d.intValue { return .fixed(try r.ms(.int(ms), "fault.delay")) }
        guard case .object(let members) = d, members.count == 1 else {
            throw r.fail("fault.delay", "expected {fixed: MS}, {uniform: [MIN, MAX]} or {lognormal: {median_ms: M, sigma: S}}")
        }
        let (kind, v) = members[0]
        switch kind {
        case "fixed": return .fixed(try r.ms(v, "fault.delay.fixed"))
        case "uniform":
            guard case .array(let bounds) = v, bounds.count == 2 else { throw r.fail("fault.delay.uniform", "expected [MIN_MS, MAX_MS]") }
            let lo = try r.ms(bounds[0], "fault.delay.uniform[0]")
            let hi = try r.ms(bounds[1], "fault.delay.uniform[1]", min: lo)
            return .uniform(lo, hi)
        case "lognormal":
            try r.keys(v, "fault.delay.lognormal", ["median_ms", "sigma"])
            guard let median = v["median_ms"]?.doubleValue, median > 0, median <= Double(ConfigReader.maxMs), let sigma = v["sigma"]?.doubleValue, sigma >= 0, sigma.isFinite else {
                throw r.fail("fault.delay.lognormal", "expected {median_ms: M > 0, sigma: S >= 0}")
            }
            return .lognormal(medianMs: median, sigma: sigma)
        default:
            throw r.fail("fault.delay.\(kind)", "unknown distribution (fixed, uniform, lognormal)")
        }
    }
}
