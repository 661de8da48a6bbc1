import LabCore

/// The bodies of Ollama's native endpoints, typed: what each handler reads.

/// `keep_alive` in nanoseconds (`GoDuration.forever` for a negative one), nil when not
/// sent: the model then keeps the keep-alive it has. A body that reaches a handler has been
/// checked, so a refused value is not seen here.
func requestedKeepAlive(_ body: JSONValue) -> Int? {
    guard let value = body["keep_alive"], case .success(let nanos)? = GoDuration.keepAlive(value) else { return nil }
    return nanos
}

/// A list of texts to embed, or nil when one item is not a string.
func embedTexts(_ items: [JSONValue]) -> [String]? {
    var texts: [String] = []
    texts.reserveCapacity(items.count)
    for item in items {
        guard case .string(let text) = item else { return nil }
        texts.append(text)
    }
    return texts
}

/// `model`, or the older `name` when `model` is missing or empty.
private func modelOrName(_ body: JSONValue) -> String {
    body["model"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? body["name"]?.stringValue ?? ""
}

private let runtimeOptions = GoDecoding.Kind.object("map[string]interface {}")

/// `POST /api/chat`.
struct ChatRequest: GoRequest {
    static let goStruct = GoStruct("api.ChatRequest", [
        "model": .string, "messages": .slice("[]api.Message", of: .structure(message)), "stream": .bool, "options": runtimeOptions,
        "tools": .array("api.Tools"), "keep_alive": .duration, "logprobs": .bool, "top_logprobs": .integer("int"),
        "truncate": .bool, "shift": .bool, "format": .any, "think": .any,
    ])
    /// `api.Message` has its own `UnmarshalJSON` (it lowercases `role`), decoding into a local
    /// `Alias` type: a mistake in a message is reported as `ChatRequest.messages.content`.
    static let message = GoStruct("api.Message", unmarshalsInto: "api.Alias", [
        "role": .string, "content": .string, "thinking": .string, "images": .slice("[]api.ImageData", of: .base64("api.ImageData")),
        "tool_calls": .slice("[]api.ToolCall", of: .structure(GoStruct("api.ToolCall", [
            "id": .string, "function": .structure(GoStruct("api.ToolCallFunction", ["index": .integer("int"), "name": .string, "arguments": .any])),
        ]))),
        "tool_name": .string, "tool_call_id": .string,
    ])
    var model: String
    var messages: [ChatMessage]
    var ask: ChatAsk
    var options: RuntimeOptions
    var context: ContextAsk
    /// Native answers stream unless told not to.
    var stream: Bool
    var keepAlive: Int?
    var logprobs: Bool
    var topLogprobs: Int?

    init(_ body: JSONValue) {
        model = body["model"]?.stringValue ?? ""
        logprobs = body["logprobs"]?.boolValue ?? false
        topLogprobs = body["top_logprobs"]?.intValue
        messages = ChatMessage.list(body["messages"])
        ask = ChatAsk.native(body)
        options = RuntimeOptions(body["options"])
        context = ContextAsk(body)
        stream = body["stream"]?.boolValue ?? true
        keepAlive = requestedKeepAlive(body)
    }
}

/// `POST /api/generate`.
struct GenerateRequest: GoRequest {
    static let goStruct = GoStruct("api.GenerateRequest", [
        "model": .string, "prompt": .string, "suffix": .string, "system": .string, "template": .string, "stream": .bool, "raw": .bool,
        "options": runtimeOptions, "images": .slice("[]api.ImageData", of: .base64("api.ImageData")), "context": .array("[]int"), "keep_alive": .duration,
        "logprobs": .bool, "top_logprobs": .integer("int"), "truncate": .bool, "shift": .bool, "format": .any, "think": .any,
    ])
    var model: String
    var prompt: String
    var system: String
    /// Fill-in-the-middle: the text after the insertion.
    var suffix: String
    var raw: Bool
    /// `raw` with a template, a system prompt or a context, which Ollama refuses.
    var rawRefused: Bool
    var logprobs: Bool
    var topLogprobs: Int?
    /// Generate takes no tools: only format and think count.
    var ask: ChatAsk
    var options: RuntimeOptions
    var context: ContextAsk
    var stream: Bool
    var keepAlive: Int?

    init(_ body: JSONValue) {
        model = body["model"]?.stringValue ?? ""
        prompt = body["prompt"]?.stringValue ?? ""
        system = body["system"]?.stringValue ?? ""
        suffix = body["suffix"]?.stringValue ?? ""
        raw = body["raw"]?.boolValue ?? false
        rawRefused = !(body["template"]?.stringValue ?? "").isEmpty || !system.isEmpty || !(body["context"]?.arrayValue ?? []).isEmpty
        logprobs = body["logprobs"]?.boolValue ?? false
        topLogprobs = body["top_logprobs"]?.intValue
        ask = ChatAsk.native(body)
        ask.tools = []
        options = RuntimeOptions(body["options"])
        context = ContextAsk(body)
        stream = body["stream"]?.boolValue ?? true
        keepAlive = requestedKeepAlive(body)
    }
}

/// `POST /api/embed`.
struct EmbedRequest: GoRequest {
    static let goStruct = GoStruct("api.EmbedRequest", [
        "model": .string, "truncate": .bool, "dimensions": .integer("int"), "options": runtimeOptions, "keep_alive": .duration, "input": .any,
    ])
    var model: String
    /// The texts to embed; nil when `input` is neither a string nor a list of strings.
    /// A missing or empty one embeds nothing.
    var inputs: [String]?
    var dimensions: Int?
    var context: ContextAsk
    var options: RuntimeOptions
    var keepAlive: Int?

    init(_ body: JSONValue) {
        model = body["model"]?.stringValue ?? ""
        options = RuntimeOptions(body["options"])
        keepAlive = requestedKeepAlive(body)
        switch body["input"] {
        case nil, .null?: inputs = []
        case .string(let s)?: inputs = s.isEmpty ? [] : [s]
        case .array(let items)?: inputs = embedTexts(items)
        default: inputs = nil
        }
        dimensions = body["dimensions"]?.intValue
        context = ContextAsk(body)
    }
}

/// `POST /api/embeddings`, the legacy single-prompt endpoint.
struct EmbeddingRequest: GoRequest {
    static let goStruct = GoStruct("api.EmbeddingRequest", ["model": .string, "prompt": .string, "options": runtimeOptions, "keep_alive": .duration])
    var model: String
    var prompt: String
    var options: RuntimeOptions
    var keepAlive: Int?

    init(_ body: JSONValue) {
        model = body["model"]?.stringValue ?? ""
        prompt = body["prompt"]?.stringValue ?? ""
        options = RuntimeOptions(body["options"])
        keepAlive = requestedKeepAlive(body)
    }
}

/// `POST /api/show`.
struct ShowRequest: GoRequest {
    static let goStruct = GoStruct("api.ShowRequest", ["model": .string, "name": .string, "verbose": .bool, "system": .string, "options": runtimeOptions])
    var model: String
    init(_ body: JSONValue) { model = modelOrName(body) }
}

/// `POST /api/pull`.
struct PullRequest: GoRequest {
    static let goStruct = GoStruct("api.PullRequest", ["model": .string, "name": .string, "insecure": .bool, "stream": .bool, "username": .string, "password": .string])
    var model: String
    var stream: Bool

    init(_ body: JSONValue) {
        model = modelOrName(body)
        stream = body["stream"]?.boolValue ?? true
    }
}

/// `POST /api/copy`.
struct CopyRequest: GoRequest {
    static let goStruct = GoStruct("api.CopyRequest", ["source": .string, "destination": .string])
    var source: String
    var destination: String

    init(_ body: JSONValue) {
        source = body["source"]?.stringValue ?? ""
        destination = body["destination"]?.stringValue ?? ""
    }
}

/// `DELETE /api/delete`.
struct DeleteRequest: GoRequest {
    static let goStruct = GoStruct("api.DeleteRequest", ["model": .string, "name": .string])
    var model: String
    init(_ body: JSONValue) { model = modelOrName(body) }
}
