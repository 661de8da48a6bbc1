import LabCore
import LabHTTP

/// `{"stream": {"malformed_chunk": 3}}`: chunk number N (1-based) is replaced by a
/// line a JSON parser rejects, in the stream's own framing (an NDJSON line or an
/// SSE `data:` event). Optional `"text"` sets the broken payload. A non-streamed reply is
/// one chunk: with `malformed_chunk: 1` its whole body becomes the payload (a 200 that
/// does not parse); a higher N does not apply to it.
public struct MalformedLineFault: FaultKind {
    public var chunk: Int
    public var text: String
    public let order = 30

    /// What a broken line says by default: the start of a JSON object that never ends.
    public static let defaultText = #"{"model": "#

    public init(chunk: Int, text: String = MalformedLineFault.defaultText) {
        self.chunk = chunk
        self.text = text
    }

    public func apply(to script: WireScript, _ context: inout FaultContext) -> WireScript {
        if script.isWhole {
            guard chunk == 1, let head = script.headIndex, case .head(let status, var headers) = script.steps[head] else { return script }
            let payload = Array(text.utf8)
            headers.set("Content-Length", String(payload.count))
            return WireScript(Array(script.steps[..<head]) + [.head(status: status, headers: headers), .body(payload), .end])
        }
        var copy = script.withoutContentLength()
        let bodies = copy.bodyIndexes
        guard chunk >= 1, chunk <= bodies.count, case .body(let original) = copy.steps[bodies[chunk - 1]] else { return script }
        copy.steps[bodies[chunk - 1]] = WireScript.line(text, framedLike: original)
        return copy
    }
}

extension MalformedLineFault {
    public static let keys = ["stream.malformed_chunk", "stream.text"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        guard let s = fault["stream"], let n = s["malformed_chunk"] else { return [] }
        return [MalformedLineFault(chunk: try r.int(n, "fault.stream.malformed_chunk", min: 1), text: s["text"]?.stringValue ?? defaultText)]
    }
}
