import LabCore

/// What a chat request asks of the model beyond text, read from either API surface.
struct ChatAsk {
    enum Format: Equatable {
        /// `format: "json"`, `response_format: {type: json_object}`: any JSON object.
        case json
        /// A JSON schema the answer must satisfy.
        case schema(JSONValue)
    }

    var tools: [ToolSpec] = []
    var format: Format?
    var think = false

    /// `/api/chat` and `/api/generate`: `tools`, `format`, `think` (true or low|medium|high).
    static func native(_ body: JSONValue) -> ChatAsk {
        var ask = ChatAsk()
        ask.tools = ToolSpec.list(body["tools"])
        switch body["format"] {
        case .string(let s)? where s == "json": ask.format = .json
        case .object(let members)? where !members.isEmpty: ask.format = .schema(body["format"]!)
        default: break
        }
        switch body["think"] {
        case .bool(let b)?: ask.think = b
        case .string(let s)?: ask.think = ["low", "medium", "high", "max", "true"].contains(s.lowercased())
        default: break
        }
        return ask
    }

    /// `/v1/chat/completions`: `tools`, `response_format`, `reasoning_effort` / `reasoning.effort`.
    static func openAI(_ body: JSONValue) -> ChatAsk {
        var ask = ChatAsk()
        ask.tools = ToolSpec.list(body["tools"])
        switch body["response_format"]?["type"]?.stringValue {
        case "json_object"?: ask.format = .json
        case "json_schema"?: ask.format = .schema(body["response_format"]?["json_schema"]?["schema"] ?? ["type": "object"])
        default: break
        }
        let effort = reasoningEffort(body) ?? ""
        ask.think = !effort.isEmpty && effort != "none"
        return ask
    }

    /// `reasoning.effort` when `reasoning` is sent (even without an effort), else `reasoning_effort`.
    static func reasoningEffort(_ body: JSONValue) -> String? {
        if let reasoning = body["reasoning"], !reasoning.isNull { return reasoning["effort"]?.stringValue ?? "" }
        return body["reasoning_effort"]?.stringValue
    }

    /// Ollama's refusal of an effort it does not know, or nil.
    static func effortRefusal(_ effort: String?) -> String? {
        guard let effort, !effort.isEmpty, !["high", "medium", "low", "none"].contains(effort) else { return nil }
        return "invalid reasoning value: '\(effort)' (must be \"high\", \"medium\", \"low\", or \"none\")"
    }
}
