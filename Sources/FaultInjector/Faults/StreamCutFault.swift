import LabHTTP

/// `{"stream": {"cut_after_chunks": 2, "then": "reset"}}`: send the head and N
/// chunks, then reset, close, or stall (`"then": "stall"`, silence until the client
/// leaves). The client has its 200 already; only the body is truncated.
public struct StreamCutFault: Fault {
    public enum Then: String, Sendable { case reset, close, stall }

    public var afterChunks: Int
    public var then: Then
    public let order = 20

    public init(afterChunks: Int, then: Then = .reset) {
        self.afterChunks = afterChunks
        self.then = then
    }

    public func apply(to script: WireScript, _ context: inout FaultContext) -> WireScript {
        let ending: WireStep = then == .reset ? .reset : then == .close ? .close : .hang
        // A Content-Length body cut short would be a framing error, not a cut stream.
        return WireScript(ScriptCut.prefix(of: script.withoutContentLength(), at: .afterChunks(afterChunks)) + [ending])
    }
}
