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

    public func filter(_ context: inout FaultContext) -> any StepFilter {
        Filter(afterChunks: afterChunks, text: text)
    }

    /// The line goes right after chunk N, or after the last chunk of a shorter stream:
    /// what follows a chunk is held until the next chunk shows it was not the last.
    private struct Filter: StepFilter {
        let afterChunks: Int
        let text: String
        var shape = ReplyShape.unknown
        var bodies = 0
        /// The first chunk, whose framing the line takes; nil until it came.
        var sample: [UInt8]?
        var inserted = false
        var held: [WireStep] = []
        let isDone = false

        mutating func take(_ step: WireStep, into out: inout [WireStep]) {
            if shape.learn(from: step) { return out.append(step) }
            switch (shape, step) {
            case (.stream, .body(let bytes)) where !inserted:
                if sample == nil {
                    sample = bytes
                    if afterChunks == 0 { insert(into: &out) }
                }
                out += held
                held = []
                out.append(step)
                bodies += 1
                if bodies == afterChunks { insert(into: &out) }
            case (.stream, _) where !inserted && sample != nil:
                held.append(step)
            default:
                out.append(step)
            }
        }

        mutating func finish(into out: inout [WireStep]) {
            if !inserted, sample != nil { insert(into: &out) }
            out += held
            held = []
        }

        private mutating func insert(into out: inout [WireStep]) {
            guard let sample else { return }
            out.append(WireScript.line(text, framedLike: sample))
            inserted = true
        }
    }
}

extension InsertedMalformedFault {
    public static let keys = ["stream.insert_malformed_after", "stream.text"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        guard let s = fault["stream"], let n = s["insert_malformed_after"] else { return [] }
        return [InsertedMalformedFault(afterChunks: try r.int(n, "fault.stream.insert_malformed_after", min: 0), text: s["text"]?.stringValue ?? MalformedLineFault.defaultText)]
    }
}
