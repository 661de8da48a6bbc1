import LabCore
import LabHTTP

/// `{"stream": {"insert_malformed_after": 3}}`: after chunk N (0: before the first) the
/// stream carries one extra line a JSON parser rejects, in the stream's own framing;
/// every real chunk still arrives. Optional `"text"` sets the broken payload. A
/// non-streamed reply has no place between chunks: it does not apply.
public struct InsertedMalformedFault: FaultKind {
    public var afterChunks: Int
    public var text: String
    public let order = 31

    public init(afterChunks: Int, text: String = MalformedLineFault.defaultText) {
        self.afterChunks = afterChunks
        self.text = text
    }

    public func apply(to script: WireScript, _ context: inout FaultContext) -> WireScript {
        guard !script.isWhole else { return script }
        var copy = script
        let bodies = copy.bodyIndexes
        guard let first = bodies.first, case .body(let sample) = copy.steps[first] else { return script }
        let at = afterChunks == 0 ? first : bodies[min(afterChunks, bodies.count) - 1] + 1
        copy.steps.insert(WireScript.line(text, framedLike: sample), at: at)
        return copy
    }
}

extension InsertedMalformedFault {
    public static let keys = ["stream.insert_malformed_after", "stream.text"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        guard let s = fault["stream"], let n = s["insert_malformed_after"] else { return [] }
        return [InsertedMalformedFault(afterChunks: try r.int(n, "fault.stream.insert_malformed_after", min: 0), text: s["text"]?.stringValue ?? MalformedLineFault.defaultText)]
    }
}
