import LabCore

/// The bodies of Ollama's OpenAI-compatible `/v1` endpoints, typed.

/// `stream_options.include_usage`.
private func includesUsage(_ body: JSONValue) -> Bool {
    body["stream_options"]?["include_usage"]?.boolValue == true
}

/// `POST /v1/chat/completions`.
struct OpenAIChatRequest: GoRequest {
    static let goType = "openai.ChatCompletionRequest"
    static let fields: GoDecoding.Fields = [
        "model": .string, "messages": .array("[]openai.Message"), "stream": .bool, "stream_options": .object("openai.StreamOptions"),
        "max_tokens": .integer("int"), "seed": .integer("int"), "temperature": .number("float64"), "top_p": .number("float64"),
        "frequency_penalty": .number("float64"), "presence_penalty": .number("float64"),
        "response_format": .object("openai.ResponseFormat"), "tools": .array("[]api.Tool"),
    ]
    var model: String
    var messages: [ChatMessage]
    var ask: ChatAsk
    var seed: Int?
    var maxTokens: Int?
    var stop: [String]
    var stream: Bool
    var includeUsage: Bool
    var context: ContextAsk

    init(_ body: JSONValue) {
        model = body["model"]?.stringValue ?? ""
        messages = ChatMessage.list(body["messages"])
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
    static let goType = "openai.CompletionRequest"
    static let fields: GoDecoding.Fields = [
        "model": .string, "stream": .bool, "max_tokens": .integer("int"), "seed": .integer("int"), "temperature": .number("float32"),
        "top_p": .number("float32"), "stream_options": .object("openai.StreamOptions"),
    ]
    var model: String
    /// Nil when `prompt` is not a string.
    var prompt: String?
    var seed: Int?
    var maxTokens: Int?
    var stop: [String]
    var stream: Bool
    var includeUsage: Bool
    var context: ContextAsk

    init(_ body: JSONValue) {
        model = body["model"]?.stringValue ?? ""
        prompt = body["prompt"]?.stringValue
        seed = body["seed"]?.intValue
        maxTokens = body["max_tokens"]?.intValue
        stop = stopList(body["stop"])
        stream = body["stream"]?.boolValue ?? false
        includeUsage = includesUsage(body)
        context = ContextAsk(body)
    }
}

/// `POST /v1/embeddings`.
struct OpenAIEmbedRequest: GoRequest {
    static let goType = "openai.EmbedRequest"
    static let fields: GoDecoding.Fields = ["model": .string, "dimensions": .integer("int"), "encoding_format": .string]
    var model: String
    /// Nil unless `input` is a string or a non-empty list of strings.
    var inputs: [String]?
    /// `float` unless asked otherwise.
    var encodingFormat: String
    var dimensions: Int?
    var context: ContextAsk

    init(_ body: JSONValue) {
        model = body["model"]?.stringValue ?? ""
        switch body["input"] {
        case .string(let s)?: inputs = [s]
        case .array(let items)? where !items.isEmpty && items.allSatisfy({ $0.stringValue != nil }): inputs = items.compactMap(\.stringValue)
        default: inputs = nil
        }
        encodingFormat = body["encoding_format"]?.stringValue ?? "float"
        dimensions = body["dimensions"]?.intValue
        context = ContextAsk(body)
    }
}

/// `POST /v1/responses`: `input` as a string or a list of items, `instructions`, flat
/// function `tools`, `text.format` for structured output, `reasoning.effort`.
struct ResponsesRequest: GoRequest {
    static let goType = "openai.ResponsesRequest"
    static let fields: GoDecoding.Fields = [
        "model": .string, "instructions": .string, "stream": .bool, "max_output_tokens": .integer("int"), "tools": .array("[]openai.ResponsesTool"),
    ]
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
