import LabCore
import LabHTTP
import MockOllama

/// `/v1/chat/completions` as OpenAI answers it.
extension FakeOpenAI {
    func chat(_ body: OpenAIChatBody, model: String) -> WireScript {
        guard let messages = body.messages else {
            return error(400, "Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter")
        }
        guard !messages.isEmpty else {
            return error(400, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", param: "messages", code: "empty_array")
        }
        if let refused = body.toolName ?? body.toolPairing { return error(refused) }
        if body.hasStreamOptions, !body.stream {
            // Ollama ignores it; a fallback from Ollama to OpenAI meets this refusal.
            return error(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: "stream_options")
        }
        if let asked = body.maxTokens, asked < 1 {
            // What a client that works max_tokens out as "window minus prompt" sends for a
            // long prompt (the gateway clamps a negative one to 0 on its way to OpenAI).
            return error(400, "Invalid '\(body.maxTokensField)': integer below minimum value. Expected a value >= 1, but got \(asked) instead.",
                         param: body.maxTokensField, code: "integer_below_min_value")
        }
        if let limit = OutputLimits.exceeded(model: model, asked: body.maxTokens) {
            let asked = body.maxTokens ?? 0
            return error(400, "\(body.maxTokensField) is too large: \(asked). This model supports at most \(limit) completion tokens, whereas you provided \(asked).",
                         param: body.maxTokensField)
        }
        let ask = body.turn(messages)
        let turn: ModelTurn
        switch core.model.turn(model: model, ask) {
        case .success(let t): turn = t
        case .failure(let refusal):
            return error(400, "This model's maximum context length is \(refusal.window) tokens. However, your messages resulted in \(refusal.promptTokens) tokens. Please reduce the length of the messages.",
                         param: "messages", code: "context_length_exceeded")
        }
        let id = core.nextID("chatcmpl-")
        let created = core.nowSeconds
        let usage: JSONValue = [
            "prompt_tokens": .int(turn.promptTokens), "completion_tokens": .int(turn.tokens.count + turn.calls.count),
            "total_tokens": .int(turn.promptTokens + turn.tokens.count + turn.calls.count),
            "prompt_tokens_details": ["cached_tokens": 0, "audio_tokens": 0],
            "completion_tokens_details": ["reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0],
        ]
        let calls: [JSONValue] = turn.calls.map { c in
            ["id": .string(c.id), "type": "function", "function": ["name": .string(c.name), "arguments": .string(c.arguments.compact)]]
        }
        let builder = StreamBuilder(contentType: "text/event-stream; charset=utf-8", pacing: core.pacing(model), headers: headers())
        let pieces = max(turn.tokens.count + (calls.isEmpty ? 0 : 1), 1)
        guard body.stream else {
            var message: [(String, JSONValue)] = [("role", "assistant"), ("content", calls.isEmpty ? .string(turn.text) : .null), ("refusal", .null)]
            if !calls.isEmpty { message.append(("tool_calls", .array(calls))) }
            message.append(("annotations", []))
            let answer: JSONValue = [
                "id": .string(id), "object": "chat.completion", "created": .int(created), "model": .string(model),
                "choices": [["index": 0, "message": .object(message), "logprobs": nil, "finish_reason": .string(turn.finish)]],
                "usage": usage, "service_tier": "default", "system_fingerprint": "fp_lab",
            ]
            return builder.delayed(VendorModel.json(answer, headers: headers()), tokenCount: pieces)
        }
        let withUsage = body.includeUsage
        func chunk(_ choices: JSONValue, usage: JSONValue? = nil) -> [UInt8] {
            var members: [(String, JSONValue)] = [("id", .string(id)), ("object", "chat.completion.chunk"), ("created", .int(created)),
                                                  ("model", .string(model)), ("service_tier", "default"), ("system_fingerprint", "fp_lab"), ("choices", choices)]
            if withUsage { members.append(("usage", usage ?? .null)) }
            return Array("data: ".utf8) + JSONValue.object(members).compactBytes + [10, 10]
        }
        // The first delta names the role; tool calls go as a name chunk, then the arguments.
        var deltas: [JSONValue] = turn.tokens.map { ["content": .string($0)] }
        for (i, c) in turn.calls.enumerated() {
            deltas.append(["tool_calls": [["index": .int(i), "id": .string(c.id), "type": "function",
                                           "function": ["name": .string(c.name), "arguments": ""]]]])
            deltas.append(["tool_calls": [["index": .int(i), "function": ["arguments": .string(c.arguments.compact)]]]])
        }
        let opening = chunk([["index": 0, "delta": ["role": "assistant", "content": "", "refusal": nil], "logprobs": nil, "finish_reason": nil]])
        var closing = [chunk([["index": 0, "delta": [:], "logprobs": nil, "finish_reason": .string(turn.finish)]])]
        if withUsage { closing.append(chunk([], usage: usage)) }
        closing.append(Array("data: [DONE]\n\n".utf8))
        return builder.script(tokenCount: deltas.count, chunk: { i in
            // OpenAI sends the role chunk on its own with the head: it travels with the first token here.
            (i == 0 ? opening : []) + chunk([["index": 0, "delta": deltas[i], "logprobs": nil, "finish_reason": nil]])
        }, closing: closing)
    }
}
