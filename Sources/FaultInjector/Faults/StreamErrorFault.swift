import LabCore
import LabHTTP

/// `{"stream": {"error_after_chunks": 3, "message": "model runner crashed"}}`: after N
/// chunks the stream carries an error and ends, as real Ollama does mid-stream: the
/// status stays 200 and a final `{"error":"…"}` line is sent (natively), or an
/// `data: {"error":{…}}` event with no `[DONE]` (on `/v1` and the fake OpenAI), or
/// Anthropic's `event: error` (`overloaded_error`) with no `message_stop`. A non-streamed
/// request has no chunks to send first: the generation fails, and it gets the provider's
/// 500 (Anthropic's 529 overloaded) with the message.
public struct StreamErrorFault: FaultKind {
    public var afterChunks: Int
    public var message: String
    public let order = 22

    public init(afterChunks: Int, message: String = "an error was encountered while running the model") {
        self.afterChunks = afterChunks
        self.message = message
    }

    public func filter(_ context: inout FaultContext) -> any StepFilter {
        let status = context.api == .anthropic ? 529 : 500
        let shaped = ProviderErrors.body(status: status, surface: context.surface, message: message)
        var headers: HTTPHeaders = ["Content-Type": shaped.contentType]
        for (name, value) in shaped.headers.fields { headers.add(name, value) }
        return Filter(instead: WireScript.respond(status: status, headers: headers, body: shaped.bytes).steps,
                      cut: CutFilter(at: .afterChunks(afterChunks), removingContentLength: true, then: [.body(errorLine(context)), .end]))
    }

    /// A stream gets its chunks up to the cut and the error line; a reply sent whole is
    /// replaced by an error reply, after the waits it began with.
    private struct Filter: StepFilter {
        let instead: [WireStep]
        var cut: CutFilter
        var shape = ReplyShape.unknown
        var held: [WireStep] = []
        var isDone: Bool { shape == .whole || cut.isDone }

        mutating func take(_ step: WireStep, into out: inout [WireStep]) {
            if shape == .unknown {
                guard shape.learn(from: step) else { return held.append(step) }
                if shape == .whole {
                    out += held.prefix { if case .wait = $0 { return true } else { return false } } + instead
                    return
                }
                for early in held { cut.take(early, into: &out) }
                held = []
            }
            cut.take(step, into: &out)
        }

        mutating func finish(into out: inout [WireStep]) {
            guard shape != .whole else { return }
            cut.finish(into: &out)
        }
    }

    /// The error as the surface's own stream says it.
    private func errorLine(_ context: FaultContext) -> [UInt8] {
        let line: [UInt8]
        switch context.surface {
        case .ollamaOpenAI, .openAI:
            let error = ErrorEnvelope.openAI(message: message, type: context.api == .openai ? "server_error" : "api_error")
            line = Array("data: ".utf8) + error.compactBytes + [10, 10]
        case .anthropic:
            // Anthropic's own mid-stream failure: an `error` event, and no message_stop.
            line = Array("event: error\ndata: ".utf8) + AnthropicErrors.envelope(type: "overloaded_error", message: message).compactBytes + [10, 10]
        case .native, .plain:
            line = JSONValue.object([("error", .string(message))]).compactBytes + [10]
        }
        return line
    }
}

extension StreamErrorFault {
    public static let keys = ["stream.error_after_chunks", "stream.message"]

    public static func parse(_ fault: JSONValue, _ r: ConfigReader) throws(ConfigError) -> [any Fault] {
        guard let s = fault["stream"], let n = s["error_after_chunks"] else { return [] }
        let message = s["message"]?.stringValue ?? "an error was encountered while running the model"
        return [StreamErrorFault(afterChunks: try r.int(n, "fault.stream.error_after_chunks", min: 0), message: message)]
    }
}
