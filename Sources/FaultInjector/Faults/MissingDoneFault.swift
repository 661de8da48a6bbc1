import LabCore
import LabHTTP

/// `{"stream": {"drop_done": true}}`: the stream ends cleanly (a proper chunked end)
/// but without its final piece: Ollama's `"done": true` line, or `data: [DONE]`. A
/// non-streamed reply has no final piece to drop: it is sent whole.
public struct MissingDoneFault: FaultKind {
    public let order = 25

    public init() {}

    public func filter(_ context: inout FaultContext) -> any StepFilter {
        Filter()
    }

    /// Each chunk is held until the next one shows it was not the last (with what came
    /// between); the last is dropped.
    private struct Filter: StepFilter {
        var shape = ReplyShape.unknown
        var lastChunk: WireStep?
        var held: [WireStep] = []
        let isDone = false

        mutating func take(_ step: WireStep, into out: inout [WireStep]) {
            if shape.learn(from: step) { return out.append(step) }
            switch (shape, step) {
            case (.stream, .body):
                if let lastChunk { out.append(lastChunk) }
                out += held
                held = []
                lastChunk = step
            case (.stream, _) where lastChunk != nil:
                held.append(step)
            default:
                out.append(step)
            }
        }

        mutating func finish(into out: inout [WireStep]) {
            out += held
            held = []
        }
    }
}

extension MissingDoneFault {
    public static let keys = ["stream.drop_done"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        fault["stream"]?["drop_done"]?.boolValue == true ? [MissingDoneFault()] : []
    }
}
