import LabCore
import LabHTTP

/// `{"stream": {"error_after_chunks": 3, "message": "model runner crashed"}}`: after N
/// chunks the stream carries an error and ends, as real Ollama does mid-stream: the
/// status stays 200 and a final `{"error":"…"}` line is sent (natively), or an
/// `data: {"error":{…}}` event with no `[DONE]` (on `/v1`). A non-streamed request
/// has no chunks to send first: the generation fails, and it gets Ollama's 500 with the
/// message (`{"error":"…"}`, or the OpenAI-shaped error on `/v1`).
public struct StreamErrorFault: Fault {
    public var afterChunks: Int
    public var message: String
    public let order = 22

    public init(afterChunks: Int, message: String = "an error was encountered while running the model") {
        self.afterChunks = afterChunks
        self.message = message
    }

    public func apply(to script: WireScript, _ context: inout FaultContext) -> WireScript {
        if script.isWhole {
            let (bytes, type) = ProviderErrors.body(status: 500, surface: context.surface, message: message)
            return WireScript(script.leadingWaits + WireScript.respond(status: 500, headers: ["Content-Type": type], body: bytes).steps)
        }
        let prefix = ScriptCut.prefix(of: script.withoutContentLength(), at: .afterChunks(afterChunks))
        let line: [UInt8]
        if context.surface == .openAI {
            let error: JSONValue = ["error": ["message": .string(message), "type": "api_error", "param": nil, "code": nil]]
            line = Array("data: ".utf8) + error.compactBytes + [10, 10]
        } else {
            line = JSONValue.object([("error", .string(message))]).compactBytes + [10]
        }
        return WireScript(prefix + [.body(line), .end])
    }
}
