import LabHTTP

/// `{"stream": {"malformed_chunk": 3}}`: chunk number N (1-based) is replaced by a
/// line a JSON parser rejects, in the stream's own framing (an NDJSON line or an
/// SSE `data:` event). Optional `"text"` sets the broken payload.
public struct MalformedLineFault: Fault {
    public var chunk: Int
    public var text: String
    public let order = 30

    public init(chunk: Int, text: String = #"{"model": "#) {
        self.chunk = chunk
        self.text = text
    }

    public func apply(to script: WireScript, _ context: inout FaultContext) -> WireScript {
        var copy = script.withoutContentLength()
        let bodies = copy.bodyIndexes
        guard chunk >= 1, chunk <= bodies.count, case .body(let original) = copy.steps[bodies[chunk - 1]] else { return script }
        let isEvent = original.starts(with: Array("data: ".utf8))
        copy.steps[bodies[chunk - 1]] = .body(Array((isEvent ? "data: \(text)\n\n" : "\(text)\n").utf8))
        return copy
    }
}
