import LabCore

/// What Anthropic refuses in a conversation that OpenAI and Ollama take as it is: a message
/// with empty content (an empty reply stored in the history, a stream cut before its first
/// token) anywhere but as the final assistant turn, text blocks with no text, and tool
/// results and tool uses that do not pair up across one turn (a history trimmed between a
/// call and its result). A cross-vendor fallback meets these only on the day the primary
/// fails. Pure.
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
        return toolPairing(turns(messages))
    }

    /// Consecutive messages of one role, as Anthropic combines them into one turn: the
    /// gateway sends each OpenAI tool result as a user message of its own.
    static func turns(_ messages: [JSONValue]) -> [(role: String, blocks: [JSONValue])] {
        var out: [(role: String, blocks: [JSONValue])] = []
        for message in messages {
            let role = message["role"]?.stringValue ?? ""
            let blocks = message["content"]?.arrayValue ?? [.object([("type", "text")])]
            if let last = out.last, last.role == role { out[out.count - 1].blocks += blocks } else { out.append((role, blocks)) }
        }
        return out
    }

    /// A `tool_result` must answer a `tool_use` of the turn just before it, and every
    /// `tool_use` must be answered in the turn just after it.
    static func toolPairing(_ turns: [(role: String, blocks: [JSONValue])]) -> String? {
        func ids(_ blocks: [JSONValue], _ type: String, _ key: String) -> [(Int, String)] {
            blocks.enumerated().compactMap { i, b in b["type"]?.stringValue == type ? (i, b[key]?.stringValue ?? "") : nil }
        }
        for (t, turn) in turns.enumerated() {
            let asked = t > 0 && turns[t - 1].role == "assistant" ? Set(ids(turns[t - 1].blocks, "tool_use", "id").map(\.1)) : []
            if turn.role == "user", let (b, id) = ids(turn.blocks, "tool_result", "tool_use_id").first(where: { !asked.contains($0.1) }) {
                return "messages.\(t).content.\(b): unexpected `tool_use_id` found in `tool_result` blocks: \(id). Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
            }
            guard turn.role == "assistant" else { continue }
            let answered = t + 1 < turns.count && turns[t + 1].role == "user" ? Set(ids(turns[t + 1].blocks, "tool_result", "tool_use_id").map(\.1)) : []
            let unanswered = ids(turn.blocks, "tool_use", "id").map(\.1).filter { !answered.contains($0) }
            // A final assistant turn is left alone: whether Anthropic takes a tool use there (as
            // a prefill) is not known here, and a refusal Anthropic does not make is worse.
            if !unanswered.isEmpty, t + 1 < turns.count {
                return "messages.\(t): `tool_use` ids were found without `tool_result` blocks immediately after: \(unanswered.joined(separator: ", ")). Each `tool_use` block must have a corresponding `tool_result` block in the next message."
            }
        }
        return nil
    }
}
