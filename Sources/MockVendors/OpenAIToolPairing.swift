import LabCore

/// What OpenAI refuses in a history's tool calls and results that Ollama takes as it is: a
/// tool message without `tool_call_id`, one that follows no assistant `tool_calls` (a
/// history trimmed between a call and its result), one whose id no call of that assistant
/// message has, and an assistant message whose calls are not all answered before the next
/// message (an agent interrupted mid-call, the error its users meet most). The first found,
/// message by message, in OpenAI's words. Pure.
enum OpenAIToolPairing {
    static func refusal(_ messages: [JSONValue]) -> OpenAIRefusal? {
        // A missing field is a shape error, found before the order of the conversation is read.
        for (i, m) in messages.enumerated() where m["role"]?.stringValue == "tool" && (m["tool_call_id"] ?? .null) == .null {
            return OpenAIRefusal(message: "Missing parameter 'tool_call_id': messages with role 'tool' must have a 'tool_call_id'.",
                           param: "messages.[\(i)].tool_call_id")
        }
        var calls: [String] = []
        var unanswered: [String] = []
        var caller: Int?
        for (i, m) in messages.enumerated() {
            let role = m["role"]?.stringValue
            if role == "tool" {
                guard caller != nil else {
                    return OpenAIRefusal(message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
                                   param: "messages.[\(i)].role")
                }
                let id = m["tool_call_id"]?.stringValue ?? m["tool_call_id"].map(\.compact) ?? ""
                guard calls.contains(id) else {
                    return OpenAIRefusal(message: "Invalid parameter: 'tool_call_id' of '\(id)' not found in 'tool_calls' of previous message.",
                                   param: "messages.[\(i)].tool_call_id")
                }
                unanswered.removeAll { $0 == id }
                continue
            }
            if caller != nil, !unanswered.isEmpty { return Self.unanswered(unanswered, at: i) }
            calls = role == "assistant" ? (m["tool_calls"]?.arrayValue ?? []).map { $0["id"]?.stringValue ?? "" } : []
            unanswered = calls
            caller = calls.isEmpty ? nil : i
        }
        // Calls the history ends on: no message follows to name, so the caller is named
        // (inferred; users quote the message, not the index, of this case).
        if let caller, !unanswered.isEmpty { return Self.unanswered(unanswered, at: caller) }
        return nil
    }

    private static func unanswered(_ ids: [String], at i: Int) -> OpenAIRefusal {
        OpenAIRefusal(message: "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: \(ids.joined(separator: ", "))",
                param: "messages.[\(i)].role")
    }
}
