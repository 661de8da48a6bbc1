import LabCore
import LabHTTP

/// The gateway's `openai` provider (`src/providers/openai/`): the body through the
/// chat config's allow-list (bounds clamped, the rest dropped), the answer and its
/// stream passed through as they came, an error wrapped as `openai error: …`.
struct OpenAIProvider: PortkeyProvider {
    let name = "openai"
    /// The base URL holds `/v1`, so a `custom_host` must too (`http://host:port/v1`).
    let defaultBaseURL = "https://api.openai.com/v1"

    func path(_ endpoint: GatewayEndpoint) -> String? {
        switch endpoint {
        case .chatComplete: return "/chat/completions"
        case .embed: return "/embeddings"
        case .complete: return "/completions"
        }
    }

    static let chatRules: [ParamRule] = [
        ParamRule("model", required: true, default: "gpt-3.5-turbo"), ParamRule("messages", default: ""),
        ParamRule("functions"), ParamRule("function_call"), ParamRule("max_tokens", min: 0), ParamRule("max_completion_tokens"),
        ParamRule("temperature", min: 0, max: 2), ParamRule("top_p", min: 0, max: 1), ParamRule("n"), ParamRule("stream"),
        ParamRule("stop"), ParamRule("presence_penalty", min: -2, max: 2), ParamRule("frequency_penalty", min: -2, max: 2),
        ParamRule("logit_bias"), ParamRule("user"), ParamRule("seed"), ParamRule("tools"), ParamRule("tool_choice"),
        ParamRule("parallel_tool_calls"), ParamRule("response_format"), ParamRule("logprobs"), ParamRule("top_logprobs"),
        ParamRule("stream_options"),
    ]

    static let completeRules: [ParamRule] = [
        ParamRule("model", required: true, default: "gpt-3.5-turbo-instruct"), ParamRule("prompt", default: ""),
        ParamRule("max_tokens", min: 0), ParamRule("temperature", min: 0, max: 2), ParamRule("top_p", min: 0, max: 1),
        ParamRule("n"), ParamRule("stream"), ParamRule("logprobs"), ParamRule("echo"), ParamRule("stop"),
        ParamRule("presence_penalty", min: -2, max: 2), ParamRule("frequency_penalty", min: -2, max: 2), ParamRule("best_of"),
        ParamRule("logit_bias"), ParamRule("user"), ParamRule("seed"), ParamRule("suffix"), ParamRule("stream_options"),
    ]

    static let embedRules: [ParamRule] = [
        ParamRule("model", required: true, default: "text-embedding-ada-002"), ParamRule("input", required: true),
        ParamRule("encoding_format"), ParamRule("dimensions"), ParamRule("user"),
    ]

    func body(_ endpoint: GatewayEndpoint, params: JSONValue) -> JSONValue { ParamRule.apply(Self.rules(endpoint), to: params) }

    func carries(_ param: String, _ endpoint: GatewayEndpoint) -> Bool { Self.rules(endpoint).contains { $0.key == param } }

    static func rules(_ endpoint: GatewayEndpoint) -> [ParamRule] {
        switch endpoint {
        case .chatComplete: return chatRules
        case .complete: return completeRules
        case .embed: return embedRules
        }
    }

    /// `Authorization: Bearer <api_key>` — JavaScript's `undefined` when there is none.
    func headers(apiKey: String?) -> HTTPHeaders { ["Authorization": "Bearer \(apiKey ?? "undefined")"] }

    /// The gateway hands the upstream's headers on: OpenAI's request id and rate-limit state reach the client.
    func passes(header name: String) -> Bool {
        let n = name.lowercased()
        return n == "x-request-id" || n.hasPrefix("x-ratelimit-") || n.hasPrefix("openai-") || n.hasPrefix("retry-after") || n == "x-ms-retry-after-ms"
    }

    /// A 2xx answer passes unchanged; an error is wrapped; a text body becomes `{"html-message": …}`,
    /// which the OpenAI transform passes on as it is.
    func response(_ endpoint: GatewayEndpoint, status: Int, contentType: String?, body: [UInt8], _ context: AnswerContext) -> JSONValue? {
        if Self.isText(contentType) { return Self.htmlMessage(body) }
        guard let json = try? JSONParser.parse(body), case .object = json else {
            if (200...299).contains(status) { return nil }
            return Self.htmlMessage(body)
        }
        if status != 200, let error = json["error"], case .object = error {
            return errorEnvelope(message: error["message"]?.stringValue ?? "undefined", type: error["type"], param: error["param"], code: error["code"])
        }
        return json
    }

    func streamTransform(_ context: AnswerContext) -> any StreamTransform { PassThrough() }

    /// No transform: each event goes to the client as it came, broken or not.
    struct PassThrough: StreamTransform {
        mutating func transform(_ event: String) -> StreamStep { .emit(Array(event.utf8) + [10, 10]) }
    }
}
