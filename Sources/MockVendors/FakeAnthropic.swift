import FaultInjector
import LabCore
import LabHTTP
import MockOllama

/// A fake Anthropic API: `/v1/messages` (whole, or the event stream `message_start` …
/// `content_block_delta` … `message_stop` with a `ping`), tool use blocks,
/// `/v1/messages/count_tokens` and `/v1/models` — with Anthropic's error envelope,
/// `request-id` and `anthropic-ratelimit-*` headers.
public final class FakeAnthropic: VendorService {
    public let api = ProviderAPI.anthropic
    let core: VendorModel

    /// Current models (the anthropic SDK pinned for conformance lists claude-sonnet-4-5 as
    /// retired on 2026-11-30, and no longer lists claude-3-5-haiku at all): a config naming
    /// a retired one gets the 404 a real Anthropic gives it.
    public static let defaultModels = ["claude-sonnet-4-6", "claude-haiku-4-5"]

    /// Models that take `temperature` or `top_p`, not both (the 4.1 generation on): an
    /// OpenAI-style client that sends both, as many do by default, is refused when a
    /// fallback hands its request to one of them.
    static let oneSamplingParameter: Set<String> = ["claude-sonnet-4-6", "claude-opus-4-6", "claude-sonnet-4-5", "claude-haiku-4-5",
                                                         "claude-opus-4-1", "claude-opus-4-5"]

    public init(models: [String] = FakeAnthropic.defaultModels, options: MockOptions = MockOptions()) throws {
        core = try VendorModel(models: models, options: options)
    }


    /// Headers of every answer: a request id and a budget that is never spent (faults spend it).
    func headers() -> HTTPHeaders {
        let reset = "2026-01-01T00:01:00Z"
        return ["request-id": core.nextID("req_"), "anthropic-organization-id": "00000000-0000-4000-8000-000000000000",
                "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49",
                "anthropic-ratelimit-requests-reset": reset, "anthropic-ratelimit-tokens-limit": "100000",
                "anthropic-ratelimit-tokens-remaining": "99000", "anthropic-ratelimit-tokens-reset": reset]
    }

    /// How Anthropic words a model it does not serve (or has retired): `not_found_error`, 404.
    public static func modelNotFound(_ model: String) -> String { "model: \(model)" }

    func error(_ status: Int, _ type: String, _ message: String) -> WireScript {
        let h = headers()
        return VendorModel.json(AnthropicErrors.envelope(type: type, message: message, requestID: h["request-id"] ?? ""), status: status, headers: h)
    }

    func respond(_ request: HTTPRequest, _ body: VendorBody?) -> WireScript {
        let key = request.headers["x-api-key"] ?? request.headers["Authorization"].map { String($0.dropFirst("Bearer ".count)) }
        guard let key, !key.isEmpty else { return error(401, "authentication_error", "x-api-key header is required") }
        switch (request.method, request.path) {
        case ("GET", "/v1/models"):
            let data = core.models.map(modelObject)
            return VendorModel.json(["data": .array(data), "has_more": false, "first_id": .string(core.models.first ?? ""),
                                     "last_id": .string(core.models.last ?? "")], headers: headers())
        case ("GET", _) where request.path.hasPrefix("/v1/models/"):
            let id = String(request.path.dropFirst("/v1/models/".count))
            guard core.has(id) else { return error(404, "not_found_error", Self.modelNotFound(id)) }
            return VendorModel.json(modelObject(id), headers: headers())
        case ("POST", "/v1/messages"), ("POST", "/v1/messages/count_tokens"):
            guard request.headers["anthropic-version"] != nil else {
                return error(400, "invalid_request_error", "anthropic-version: header is required")
            }
            guard let body else { return error(400, "invalid_request_error", "There was an issue with the JSON body of your request.") }
            guard let model = body.model else { return error(400, "invalid_request_error", "model: Field required") }
            let ask = AnthropicMessagesBody(body.json)
            guard let messages = ask.messages else { return error(400, "invalid_request_error", "messages: Field required") }
            guard core.has(model) else { return error(404, "not_found_error", Self.modelNotFound(model)) }
            if request.path.hasSuffix("count_tokens") {
                return VendorModel.json(["input_tokens": .int(MockOllama.tokenCount(messages))], headers: headers())
            }
            guard ask.hasMaxTokens else { return error(400, "invalid_request_error", "max_tokens: Field required") }
            guard ask.sentCount > 0 else { return error(400, "invalid_request_error", "messages: at least one message is required") }
            if let refusal = ToolNameRules.anthropic(body.json["tools"]?.arrayValue ?? []) {
                return error(400, "invalid_request_error", refusal)
            }
            if let refusal = AnthropicContentCheck.refusal(body.json["messages"]?.arrayValue ?? []) {
                return error(400, "invalid_request_error", refusal)
            }
            if let limit = OutputLimits.exceeded(model: model, asked: ask.maxTokens) {
                return error(400, "invalid_request_error", "max_tokens: \(ask.maxTokens ?? 0) > \(limit), which is the maximum allowed number of output tokens for \(model)")
            }
            if Self.oneSamplingParameter.contains(model), body.json["temperature"].map({ $0 != .null }) == true,
               body.json["top_p"].map({ $0 != .null }) == true {
                return error(400, "invalid_request_error", "`temperature` and `top_p` cannot both be specified for this model. Please use only one.")
            }
            return messagesAnswer(ask, model: model, messages: messages)
        default:
            return error(404, "not_found_error", "Not Found")
        }
    }

    func modelObject(_ id: String) -> JSONValue {
        ["type": "model", "id": .string(id), "display_name": .string(id), "created_at": "2025-02-19T00:00:00Z"]
    }
}
