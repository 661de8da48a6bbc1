import LabCore
import LabHTTP

/// `{"slow": {"bytes_per_second": 2000}}`: the body trickles out at this rate, in
/// pieces every 10 ms of lab time.
public struct SlowFault: FaultKind {
    public var bytesPerSecond: Int
    public let order = 40

    public init(bytesPerSecond: Int) { self.bytesPerSecond = bytesPerSecond }

    public func filter(_ context: inout FaultContext) -> any StepFilter {
        let piece = max(1, bytesPerSecond / 100)
        return Filter(piece: piece, waitMs: max(1, Int((Double(piece) * 1000 / Double(bytesPerSecond)).rounded())))
    }

    /// Every body cut into pieces of `piece` bytes, each after a wait but the very first.
    private struct Filter: StepFilter {
        let piece: Int
        let waitMs: Int
        var first = true
        let isDone = false

        mutating func take(_ step: WireStep, into out: inout [WireStep]) {
            guard case .body(let bytes) = step else { return out.append(step) }
            var offset = 0
            while offset < bytes.count {
                if !first { out.append(.wait(ms: waitMs)) }
                first = false
                let end = min(offset + piece, bytes.count)
                out.append(.body(Array(bytes[offset..<end])))
                offset = end
            }
        }

        mutating func finish(into out: inout [WireStep]) {}
    }
}

extension SlowFault {
    public static let keys = ["slow"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        guard let s = fault["slow"] else { return [] }
        try r.keys(s, "fault.slow", ["bytes_per_second"])
        guard let rate = s["bytes_per_second"] else { throw r.fail("fault.slow", "expected {bytes_per_second: N}") }
        return [SlowFault(bytesPerSecond: try r.int(rate, "fault.slow.bytes_per_second", min: 1))]
    }
}
