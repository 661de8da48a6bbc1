import LabHTTP

/// `{"slow": {"bytes_per_second": 2000}}`: the body trickles out at this rate, in
/// pieces every 10 ms of lab time.
public struct SlowFault: Fault {
    public var bytesPerSecond: Int
    public let order = 40

    public init(bytesPerSecond: Int) { self.bytesPerSecond = bytesPerSecond }

    public func apply(to script: WireScript, _ context: inout FaultContext) -> WireScript {
        let piece = max(1, bytesPerSecond / 100)
        let waitMs = max(1, Int((Double(piece) * 1000 / Double(bytesPerSecond)).rounded()))
        var out: [WireStep] = []
        var first = true
        for step in script.steps {
            guard case .body(let bytes) = step else { out.append(step); continue }
            var offset = 0
            while offset < bytes.count {
                if !first { out.append(.wait(ms: waitMs)) }
                first = false
                let end = min(offset + piece, bytes.count)
                out.append(.body(Array(bytes[offset..<end])))
                offset = end
            }
        }
        return WireScript(out)
    }
}
