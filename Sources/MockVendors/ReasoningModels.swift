import LabCore

/// OpenAI's reasoning models — the o-series and GPT-5 — take `max_completion_tokens`, not
/// `max_tokens`, and only the default temperature. A client written for gpt-4o sends both,
/// so a fallback to one of these refuses every request it is handed, in OpenAI's words.
/// Pure.
enum ReasoningModels {
    static func contains(_ model: String) -> Bool {
        ["o1", "o3", "o4", "gpt-5"].contains { model == $0 || model.hasPrefix($0 + "-") || model.hasPrefix($0 + ".") }
    }

    /// OpenAI's refusal of `body` for `model`, or nil when the model takes it.
    static func refusal(model: String, body: JSONValue) -> OpenAIRefusal? {
        guard contains(model) else { return nil }
        if let sent = body["max_tokens"], sent != .null {
            return OpenAIRefusal(message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                                 param: "max_tokens", code: "unsupported_parameter")
        }
        if let t = body["temperature"], let value = t.doubleValue, value != 1 {
            return OpenAIRefusal(message: "Unsupported value: 'temperature' does not support \(t.javaScriptCompact) with this model. Only the default (1) value is supported.",
                                 param: "temperature", code: "unsupported_value")
        }
        return nil
    }
}
