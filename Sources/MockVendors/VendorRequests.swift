import LabCore
import LabHTTP
import MockOllama

/// A vendor request's body, read once at the edge: a JSON object, or nil.
struct VendorBody {
    let json: JSONValue
    /// `model` when it is a string.
    let model: String?

    init?(_ request: HTTPRequest) {
        guard let v = try? JSONParser.parse(request.body), case .object = v else { return nil }
        json = v
        model = v["model"]?.stringValue
    }

    /// Whether a required field is present at all (the vendors check presence first).
    func has(_ field: String) -> Bool { json[field] != nil }
}

/// `POST /v1/chat/completions` as OpenAI reads it.
struct OpenAIChatBody {
    /// Nil when `messages` is missing or not a list.
    var messages: [ChatMessage]?
    /// Empty when `tool_choice` is `none`.
    var tools: [ToolSpec]
    /// `response_format`: a schema, `{}` for any JSON object, nil for text.
    var jsonSchema: JSONValue?
    var seed: Int?
    var maxTokens: Int?
    /// Which field gave `maxTokens`, as OpenAI's refusal names it.
    var maxTokensField = "max_tokens"
    var stop: [String]
    var stream: Bool
    var includeUsage: Bool
    /// `stream_options` given (not null), which OpenAI takes only with `stream`.
    var hasStreamOptions: Bool
    /// Tool calls and results that do not pair up (`OpenAIToolPairing`): Ollama takes
    /// them, OpenAI refuses them.
    var toolPairing: OpenAIRefusal?
    /// A tool name OpenAI refuses (`ToolNameRules`): Ollama takes any.
    var toolName: OpenAIRefusal?

    init(_ body: JSONValue) {
        messages = body["messages"]?.arrayValue?.map(ChatMessage.init)
        tools = body["tool_choice"]?.stringValue == "none" ? [] : (body["tools"]?.arrayValue ?? []).map(ToolSpec.init)
        switch body["response_format"]?["type"]?.stringValue {
        case "json_object"?: jsonSchema = .object([])
        case "json_schema"?: jsonSchema = body["response_format"]?["json_schema"]?["schema"] ?? ["type": "object"]
        default: jsonSchema = nil
        }
        seed = body["seed"]?.intValue
        if let n = body["max_completion_tokens"]?.intValue {
            maxTokens = n
            maxTokensField = "max_completion_tokens"
        } else {
            maxTokens = body["max_tokens"]?.intValue
        }
        stop = stopList(body["stop"])
        stream = body["stream"]?.boolValue == true
        includeUsage = body["stream_options"]?["include_usage"]?.boolValue == true
        hasStreamOptions = body["stream_options"].map { $0 != .null } ?? false
        toolPairing = OpenAIToolPairing.refusal(body["messages"]?.arrayValue ?? [])
        toolName = ToolNameRules.openAI(body["tools"]?.arrayValue ?? [])
    }

    /// What the mock model is asked.
    func turn(_ messages: [ChatMessage]) -> TurnRequest {
        TurnRequest(messages: messages, tools: tools, jsonSchema: jsonSchema, seed: seed, maxTokens: maxTokens, stop: stop)
    }
}

/// `POST /v1/messages` (and `count_tokens`) as Anthropic reads it, the conversation in
/// the mock model's terms: the system prompt first, text blocks as text, a
/// `tool_result` as a tool message.
struct AnthropicMessagesBody {
    /// Nil when `messages` is missing or not a list.
    var messages: [ChatMessage]?
    /// How many messages the client sent (the system prompt is not one).
    var sentCount: Int
    var maxTokens: Int?
    var hasMaxTokens: Bool
    /// Anthropic tools are `{name, description, input_schema}`; empty when `tool_choice` is `none`.
    var tools: [ToolSpec]
    var think: Bool
    var stop: [String]
    var stream: Bool

    init(_ body: JSONValue) {
        let sent = body["messages"]?.arrayValue
        sentCount = sent?.count ?? 0
        messages = sent.map { Self.conversation(system: body["system"], $0) }
        hasMaxTokens = body["max_tokens"] != nil
        maxTokens = body["max_tokens"]?.intValue
        tools = body["tool_choice"]?["type"]?.stringValue == "none" ? [] : (body["tools"]?.arrayValue ?? []).map { t in
            ToolSpec(name: t["name"]?.stringValue ?? "tool", description: t["description"]?.stringValue ?? "",
                     parameters: t["input_schema"] ?? ["type": "object"])
        }
        think = body["thinking"]?["type"]?.stringValue == "enabled"
        stop = body["stop_sequences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        stream = body["stream"]?.boolValue == true
    }

    /// What the mock model is asked.
    func turn(_ messages: [ChatMessage]) -> TurnRequest {
        TurnRequest(messages: messages, tools: tools, think: think, maxTokens: maxTokens, stop: stop)
    }

    static func conversation(system: JSONValue?, _ messages: [JSONValue]) -> [ChatMessage] {
        var out: [ChatMessage] = []
        let systemText = system?.stringValue ?? system?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined(separator: "\n") ?? ""
        if !systemText.isEmpty { out.append(ChatMessage(role: "system", content: systemText)) }
        for m in messages {
            let role = m["role"]?.stringValue ?? "user"
            if let text = m["content"]?.stringValue {
                out.append(ChatMessage(role: role, content: text))
                continue
            }
            let blocks = m["content"]?.arrayValue ?? []
            if let result = blocks.first(where: { $0["type"]?.stringValue == "tool_result" }) {
                let content = result["content"]?.stringValue ?? result["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined() ?? ""
                out.append(ChatMessage(role: "tool", content: content))
                continue
            }
            let text = blocks.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined(separator: "\n")
            out.append(ChatMessage(role: role, content: text))
        }
        return out
    }
}
