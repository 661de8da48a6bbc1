import LabHTTP

/// `{"hang": true}`: read the request, never answer, until the client leaves.
/// `{"hang": "after_headers"}`: send the head, then silence.
public struct HangFault: Fault {
    public var afterHeaders: Bool
    public let order = 0

    public init(afterHeaders: Bool = false) { self.afterHeaders = afterHeaders }

    public func apply(to script: WireScript, _ context: inout FaultContext) -> WireScript {
        guard afterHeaders, let head = script.headIndex else { return WireScript([.hang]) }
        return WireScript(Array(script.steps[...head]) + [.hang])
    }
}
