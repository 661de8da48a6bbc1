import LabCore

/// What Anthropic refuses in a conversation that OpenAI and Ollama take as it is: a message
/// with empty content (an empty reply stored in the history, a stream cut before its first
/// token) anywhere but as the final assistant turn, and text blocks with no text. A
/// cross-vendor fallback meets these only on the day the primary fails. Pure.
enum AnthropicContentCheck {
    /// Anthropic's message for the first message that does not pass, or nil.
    static func refusal(_ messages: [JSONValue]) -> String? {
        for (i, message) in messages.enumerated() {
            let content: JSONValue
            switch message["content"] {
            case nil: return "messages.\(i).content: Field required"
            case let c?: content = c
            }
            let isEmpty = content == .string("") || content == .array([])
            let mayBeEmpty = i == messages.count - 1 && message["role"]?.stringValue == "assistant"
            if isEmpty, !mayBeEmpty {
                return "messages.\(i): all messages must have non-empty content except for the optional final assistant message"
            }
            for block in content.arrayValue ?? [] where block["type"]?.stringValue == "text" {
                guard let text = block["text"]?.stringValue else { continue }
                if text.isEmpty { return "messages: text content blocks must be non-empty" }
                if text.allSatisfy(\.isWhitespace) { return "messages: text content blocks must contain non-whitespace text" }
            }
        }
        return nil
    }
}
