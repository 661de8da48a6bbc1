import LabCore
import LabHTTP

/// `{"stream": {"cut_after_chunks": 2, "then": "reset"}}`: send the head and N
/// chunks, then reset, close, or stall (`"then": "stall"`, silence until the client
/// leaves). The client has its 200 already; only the body is truncated.
public struct StreamCutFault: FaultKind {
    public enum Then: String, Sendable { case reset, close, stall }

    public var afterChunks: Int
    public var then: Then
    public let order = 20

    public init(afterChunks: Int, then: Then = .reset) {
        self.afterChunks = afterChunks
        self.then = then
    }

    public func filter(_ context: inout FaultContext) -> any StepFilter {
        CutFilter(at: .afterChunks(afterChunks), removingContentLength: true, then: [then == .reset ? .reset : then == .close ? .close : .hang])
    }
}

extension StreamCutFault {
    public static let keys = ["stream.cut_after_chunks", "stream.then"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        guard let s = fault["stream"] else { return [] }
        guard let n = s["cut_after_chunks"] else {
            if s["then"] != nil { throw r.fail("fault.stream.then", "only applies with cut_after_chunks") }
            return []
        }
        let then = s["then"]?.stringValue ?? "reset"
        guard let t = Then(rawValue: then) else { throw r.fail("fault.stream.then", "expected reset, close or stall, got \"\(then)\"") }
        return [StreamCutFault(afterChunks: try r.int(n, "fault.stream.cut_after_chunks", min: 0), then: t)]
    }
}
