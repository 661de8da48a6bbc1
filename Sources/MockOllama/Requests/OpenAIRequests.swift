import LabCore

/// The bodies of Ollama's OpenAI-compatible `/v1` endpoints, typed.

/// `stream_options.include_usage`.
private func includesUsage(_ body: JSONValue) -> Bool {
    body["stream_options"]?["include_usage"]?.boolValue == true
}

/// `POST /v1/chat/completions`.
struct OpenAIChatRequest: GoRequest {
    static let goStruct = GoStruct("openai.ChatCompletionRequest", [
        "model": .string, "messages": .slice("[]openai.Message", of: .structure(message)), "stream": .bool,
        "stream_options": .object("openai.StreamOptions"),
        "max_tokens": .integer("int"), "seed": .integer("int"), "temperature": .number("float64"), "top_p": .number("float64"),
        "frequency_penalty": .number("float64"), "presence_penalty": .number("float64"),
        "response_format": .object("openai.ResponseFormat"), "tools": .array("[]api.Tool"),
        "reasoning": .object("openai.Reasoning"), "reasoning_effort": .string, "stop": .any,
        "logprobs": .bool, "top_logprobs": .integer("int"),
    ])
    /// A plain struct: a mistake in a message is reported as `Message.messages.role`.
    static let message = GoStruct("openai.Message", [
        "role": .string, "content": .any, "reasoning": .string, "name": .string, "tool_call_id": .string,
        "tool_calls": .slice("[]openai.ToolCall", of: .structure(GoStruct("openai.ToolCall", [
            "id": .string, "index": .integer("int"), "type": .string,
            "function": .structure(GoStruct(#"struct { Name string "json:\"name\""; Arguments string "json:\"arguments\"" }"#,
                                            anonymous: true, ["name": .string, "arguments": .string])),
        ]))),
    ])
    var model: String
    /// As many as the body sent: Ollama refuses none at all before reading them.
    var messageCount: Int
    /// The native messages Ollama makes of them, or its refusal.
    var messages: Result<[ChatMessage], OpenAIMessages.Refusal>
    var ask: ChatAsk
    /// `reasoning.effort` or `reasoning_effort`, as Ollama reads them.
    var effort: String?
    var seed: Int?
    var maxTokens: Int?
    var stop: [String]
    var stream: Bool
    var includeUsage: Bool
    var context: ContextAsk
    var logprobs: Bool
    var topLogprobs: Int?

    init(_ body: JSONValue) {
        model = body["model"]?.stringValue ?? ""
        logprobs = body["logprobs"]?.boolValue ?? false
        topLogprobs = body["top_logprobs"]?.intValue
        effort = ChatAsk.reasoningEffort(body)
        let sent = body["messages"]?.arrayValue ?? []
        messageCount = sent.count
        messages = OpenAIMessages.native(sent)
        ask = ChatAsk.openAI(body)
        seed = body["seed"]?.intValue
        maxTokens = body["max_tokens"]?.intValue ?? body["max_completion_tokens"]?.intValue
        stop = stopList(body["stop"])
        stream = body["stream"]?.boolValue ?? false
        includeUsage = includesUsage(body)
        context = ContextAsk(body)
    }
}

/// `POST /v1/completions`.
struct OpenAICompletionRequest: GoRequest {
    static let goStruct = GoStruct("openai.CompletionRequest", [
        "model": .string, "stream": .bool, "max_tokens": .integer("int"), "seed": .integer("int"), "temperature": .number("float32"),
        "top_p": .number("float32"), "stream_options": .object("openai.StreamOptions"),
        "frequency_penalty": .number("float32"), "presence_penalty": .number("float32"), "suffix": .string, "prompt": .any, "stop": .any,
        "logprobs": .integer("int"),
    ])
    var model: String
    /// Nil when `prompt` is not a string.
    var prompt: String?
    var seed: Int?
    var maxTokens: Int?
    var stop: [String]
    /// Ollama's refusal of a `stop` list holding anything but strings (chat skips them).
    var stopRefusal: String?
    var stream: Bool
    var includeUsage: Bool
    var context: ContextAsk

    init(_ body: JSONValue) {
        model = body["model"]?.stringValue ?? ""
        prompt = body["prompt"]?.stringValue
        seed = body["seed"]?.intValue
        maxTokens = body["max_tokens"]?.intValue
        stop = stopList(body["stop"])
        if case .array(let items)? = body["stop"], let other = items.first(where: { $0.stringValue == nil }) {
            stopRefusal = "invalid type for 'stop' field: \(OpenAIMessages.goTypeName(other))"
        }
        stream = body["stream"]?.boolValue ?? false
        includeUsage = includesUsage(body)
        context = ContextAsk(body)
    }
}

/// `POST /v1/embeddings`.
struct OpenAIEmbedRequest: GoRequest {
    static let goStruct = GoStruct("openai.EmbedRequest", ["model": .string, "dimensions": .integer("int"), "encoding_format": .string, "input": .any])
    var model: String
    /// Nil when `input` is missing, null or an empty list (Ollama's `invalid input`).
    var input: JSONValue?
    /// `float` unless asked otherwise.
    var encodingFormat: String
    var dimensions: Int?
    var context: ContextAsk

    init(_ body: JSONValue) {
        model = body["model"]?.stringValue ?? ""
        switch body["input"] {
        case nil, .null?, .array([])?: input = nil
        case let sent?: input = sent
        }
        encodingFormat = body["encoding_format"]?.stringValue ?? "float"
        dimensions = body["dimensions"]?.intValue
        context = ContextAsk(body)
    }
}

/// `POST /v1/responses`: `input` as a string or a list of items, `instructions`, flat
/// function `tools`, `text.format` for structured output, `reasoning.effort`.
struct ResponsesRequest: GoRequest {
    static let goStruct = GoStruct("openai.ResponsesRequest", [
        "model": .string, "instructions": .string, "stream": .bool, "max_output_tokens": .integer("int"), "tools": .array("[]openai.ResponsesTool"),
        "input": .any, "text": .any, "reasoning": .any,
    ])
    var model: String
    /// The conversation (instructions first); nil when `input` is missing or of another type.
    var messages: [ChatMessage]?
    var ask: ChatAsk
    var maxOutputTokens: Int?
    var stream: Bool
    var context: ContextAsk

    init(_ body: JSONValue) {
        model = body["model"]?.stringValue ?? ""
        var conversation: [ChatMessage] = []
        if let instructions = body["instructions"]?.stringValue { conversation.append(ChatMessage(role: "system", content: instructions)) }
        switch body["input"] {
        case .string(let text)?:
            conversation.append(ChatMessage(role: "user", content: text))
            messages = conversation
        case .array(let items)?:
            for item in items {
                if item["type"]?.stringValue == "function_call_output" {
                    conversation.append(ChatMessage(role: "tool", content: ChatMessage.text(item["output"] ?? "")))
                } else if let role = item["role"]?.stringValue {
                    conversation.append(ChatMessage(role: role, content: Self.inputText(item["content"])))
                }
            }
            messages = conversation
        default:
            messages = nil
        }
        ask = ChatAsk()
        ask.tools = (body["tools"]?.arrayValue ?? []).filter { $0["type"]?.stringValue == "function" }.map(ToolSpec.init)
        switch body["text"]?["format"]?["type"]?.stringValue {
        case "json_object"?: ask.format = .json
        case "json_schema"?: ask.format = .schema(body["text"]?["format"]?["schema"] ?? ["type": "object"])
        default: break
        }
        ask.think = body["reasoning"]?["effort"]?.stringValue.map { $0 != "none" } ?? false
        maxOutputTokens = body["max_output_tokens"]?.intValue
        stream = body["stream"]?.boolValue ?? false
        context = ContextAsk(body)
    }

    /// A message's content: a string, or `input_text` / `output_text` parts.
    static func inputText(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: return s
        case .array(let parts)?: return parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        default: return ""
        }
    }
}
