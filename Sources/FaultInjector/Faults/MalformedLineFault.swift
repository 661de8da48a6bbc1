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

    public func filter(_ context: inout FaultContext) -> any StepFilter {
        Filter(chunk: chunk, text: text)
    }

    /// Chunk N of a stream becomes the text, framed like the chunk; a reply sent whole
    /// becomes the text alone when N is 1.
    private struct Filter: StepFilter {
        let chunk: Int
        let text: String
        var shape = ReplyShape.unknown
        var bodies = 0
        private(set) var isDone = false

        mutating func take(_ step: WireStep, into out: inout [WireStep]) {
            if shape.learn(from: step) {
                guard shape == .whole, chunk == 1, case .head(let status, var headers) = step else { return out.append(step) }
                let payload = Array(text.utf8)
                headers.set("Content-Length", String(payload.count))
                out += [.head(status: status, headers: headers), .body(payload), .end]
                isDone = true
                return
            }
            switch (shape, step) {
            case (.stream, .body(let original)):
                bodies += 1
                out.append(bodies == chunk ? WireScript.line(text, framedLike: original) : step)
            default:
                out.append(step)
            }
        }

        mutating func finish(into out: inout [WireStep]) {}
    }
}

extension MalformedLineFault {
    public static let keys = ["stream.malformed_chunk", "stream.text"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        guard let s = fault["stream"], let n = s["malformed_chunk"] else { return [] }
        return [MalformedLineFault(chunk: try r.int(n, "fault.stream.malformed_chunk", min: 1), text: s["text"]?.stringValue ?? defaultText)]
    }
}
