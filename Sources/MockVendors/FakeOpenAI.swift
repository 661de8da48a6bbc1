import FaultInjector
import LabCore
import LabHTTP
import MockOllama

/// A fake OpenAI API: `/v1/chat/completions` (streams with `stream_options.include_usage`,
/// tools, `response_format`), `/v1/embeddings`, `/v1/models`, `/v1/responses` — with
/// OpenAI's error envelope, `x-request-id` and `x-ratelimit-*` headers. Answers come
/// from the same mock model as MockOllama's, so a fallback across vendors gets
/// comparable text.
public final class FakeOpenAI: VendorService {
    public let api = ProviderAPI.openai
    let core: VendorModel
    /// Ollama renders `/v1/embeddings` and `/v1/responses` in OpenAI's shapes already;
    /// the fake checks what OpenAI checks first, then lets it write them.
    private var inner: MockOllama { core.model }

    public static let defaultModels = ["gpt-4o-mini", "text-embedding-3-small"]

    public init(models: [String] = FakeOpenAI.defaultModels, options: MockOptions = MockOptions()) throws {
        core = try VendorModel(models: models, options: options)
    }


    /// Headers of every answer: a request id and a budget that is never spent (faults spend it).
    func headers() -> HTTPHeaders {
        ["x-request-id": core.nextID("req_"), "openai-version": "2020-10-01", "openai-processing-ms": "20",
         "x-ratelimit-limit-requests": "10000", "x-ratelimit-remaining-requests": "9999", "x-ratelimit-reset-requests": "6ms",
         "x-ratelimit-limit-tokens": "2000000", "x-ratelimit-remaining-tokens": "1999000", "x-ratelimit-reset-tokens": "30ms"]
    }

    /// How OpenAI words a model it does not serve (code `model_not_found`, status 404).
    public static func modelNotFound(_ model: String) -> String { "The model `\(model)` does not exist or you do not have access to it." }

    func error(_ status: Int, _ message: String, type: String = "invalid_request_error", param: String? = nil, code: String? = nil) -> WireScript {
        VendorModel.json(ErrorEnvelope.openAI(message: message, type: .string(type), param: param.map(JSONValue.string) ?? .null,
                                              code: code.map(JSONValue.string) ?? .null), status: status, headers: headers())
    }

    /// A request check's refusal, as a 400.
    func error(_ refused: OpenAIRefusal) -> WireScript { error(400, refused.message, param: refused.param, code: refused.code) }

    func respond(_ request: HTTPRequest, _ body: VendorBody?) -> WireScript {
        let route = "\(request.method) \(request.path)"
        guard let auth = request.headers["Authorization"], auth.hasPrefix("Bearer "), auth.count > 7 else {
            return error(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
        }
        switch route {
        case "GET /v1/models":
            return VendorModel.json(["object": "list", "data": .array(core.models.map(modelObject))], headers: headers())
        case _ where request.method == "GET" && request.path.hasPrefix("/v1/models/"):
            let id = String(request.path.dropFirst("/v1/models/".count))
            guard core.has(id) else { return error(404, "The model '\(id)' does not exist", code: "model_not_found") }
            return VendorModel.json(modelObject(id), headers: headers())
        case "POST /v1/chat/completions", "POST /v1/embeddings", "POST /v1/responses":
            guard let body else {
                return error(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)")
            }
            guard let model = body.model else {
                return error(400, "you must provide a model parameter")
            }
            guard core.has(model) else {
                return error(404, Self.modelNotFound(model), code: "model_not_found")
            }
            switch request.path {
            case "/v1/chat/completions":
                if let refused = ReasoningModels.refusal(model: model, body: body.json) { return error(refused) }
                return chat(OpenAIChatBody(body.json), model: model)
            case "/v1/embeddings": return passOn(request, body, required: "input")
            default: return passOn(request, body, required: "input")
            }
        default:
            return error(404, "Invalid URL (\(request.method) \(request.path))")
        }
    }

    func modelObject(_ id: String) -> JSONValue {
        ["id": .string(id), "object": "model", "created": 1_715_367_049, "owned_by": "system"]
    }

    /// Embeddings and responses in the inner mock's OpenAI shapes, with OpenAI's headers.
    private func passOn(_ request: HTTPRequest, _ body: VendorBody, required: String) -> WireScript {
        guard body.has(required) else {
            return error(400, "Missing required parameter: '\(required)'.", param: required, code: "missing_required_parameter")
        }
        let extra = headers()
        return inner.respond(to: request).changingHead { h in
            for (name, value) in extra.fields { h.add(name, value) }
        }
    }
}
