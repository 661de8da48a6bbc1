import LabCore
import LabHTTP

/// `{"stream": {"drop_done": true}}`: the stream ends cleanly (a proper chunked end)
/// but without its final piece: Ollama's `"done": true` line, or `data: [DONE]`. A
/// non-streamed reply has no final piece to drop: it is sent whole.
public struct MissingDoneFault: FaultKind {
    public let order = 25

    public init() {}

    public func apply(to script: WireScript, _ context: inout FaultContext) -> WireScript {
        guard !script.isWhole else { return script }
        var copy = script.withoutContentLength()
        guard let last = copy.bodyIndexes.last else { return script }
        copy.steps.remove(at: last)
        return copy
    }
}

extension MissingDoneFault {
    public static let keys = ["stream.drop_done"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        fault["stream"]?["drop_done"]?.boolValue == true ? [MissingDoneFault()] : []
    }
}
