import LabCore
import LabHTTP
import MockOllama

/// `/v1/messages` as Anthropic answers it: whole, or as its event stream.
extension FakeAnthropic {
    func messagesAnswer(_ body: AnthropicMessagesBody, model: String, messages: [ChatMessage]) -> WireScript {
        let ask = body.turn(messages)
        let turn: ModelTurn
        switch core.model.turn(model: model, ask) {
        case .success(let t): turn = t
        case .failure(let refusal):
            return error(400, "invalid_request_error", "prompt is too long: \(refusal.promptTokens) tokens > \(refusal.window) maximum")
        }
        let id = core.nextID("msg_01")
        let stopReason: String
        switch turn.finish {
        case "length": stopReason = "max_tokens"
        case "tool_calls": stopReason = "tool_use"
        default: stopReason = "end_turn"
        }
        let outputTokens = turn.thinking.count + turn.tokens.count + turn.calls.count
        func toolUse(_ c: ModelTurn.Call, input: JSONValue) -> JSONValue {
            ["type": "tool_use", "id": .string("toolu_01" + c.id.dropFirst("call_".count)), "name": .string(c.name), "input": input]
        }
        let calls = turn.calls.map { toolUse($0, input: $0.arguments) }
        let builder = StreamBuilder(contentType: "text/event-stream; charset=utf-8", pacing: core.pacing(model), headers: headers())
        guard body.stream else {
            var content: [JSONValue] = []
            if !turn.thinking.isEmpty { content.append(["type": "thinking", "thinking": .string(turn.thinking.joined()), "signature": "lab"]) }
            if !turn.tokens.isEmpty || calls.isEmpty { content.append(["type": "text", "text": .string(turn.text)]) }
            content += calls
            let answer: JSONValue = [
                "id": .string(id), "type": "message", "role": "assistant", "model": .string(model), "content": .array(content),
                "stop_reason": .string(stopReason), "stop_sequence": nil,
                "usage": ["input_tokens": .int(turn.promptTokens), "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                          "output_tokens": .int(outputTokens), "service_tier": "standard"],
            ]
            return builder.delayed(VendorModel.json(answer, headers: headers()), tokenCount: max(outputTokens, 1))
        }
        func event(_ name: String, _ data: JSONValue) -> [UInt8] {
            Array("event: \(name)\ndata: ".utf8) + data.compactBytes + [10, 10]
        }
        let start = event("message_start", ["type": "message_start", "message": [
            "id": .string(id), "type": "message", "role": "assistant", "model": .string(model), "content": [],
            "stop_reason": nil, "stop_sequence": nil,
            "usage": ["input_tokens": .int(turn.promptTokens), "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 1],
        ]])
        // One event per token: thinking deltas, text deltas, then each tool block (start, its input, stop).
        var pieces: [[UInt8]] = []
        var block = 0
        // Anthropic sends its one `ping` right after the first block opens, before any delta.
        var pinged = false
        func blockStart(_ index: Int, _ contentBlock: JSONValue) -> [UInt8] {
            let opened = event("content_block_start", ["type": "content_block_start", "index": .int(index), "content_block": contentBlock])
            if pinged { return opened }
            pinged = true
            return opened + event("ping", ["type": "ping"])
        }
        if !turn.thinking.isEmpty {
            pieces += turn.thinking.enumerated().map { i, t in
                (i == 0 ? blockStart(block, ["type": "thinking", "thinking": ""]) : [])
                    + event("content_block_delta", ["type": "content_block_delta", "index": .int(block), "delta": ["type": "thinking_delta", "thinking": .string(t)]])
            }
            pieces[pieces.count - 1] += event("content_block_stop", ["type": "content_block_stop", "index": .int(block)])
            block += 1
        }
        if !turn.tokens.isEmpty || calls.isEmpty {
            let textBlock = block
            pieces += turn.tokens.enumerated().map { i, t in
                (i == 0 ? blockStart(textBlock, ["type": "text", "text": ""]) : [])
                    + event("content_block_delta", ["type": "content_block_delta", "index": .int(textBlock), "delta": ["type": "text_delta", "text": .string(t)]])
            }
            if pieces.isEmpty { pieces.append(blockStart(textBlock, ["type": "text", "text": ""])) }
            pieces[pieces.count - 1] += event("content_block_stop", ["type": "content_block_stop", "index": .int(textBlock)])
            block += 1
        }
        for call in turn.calls {
            pieces.append(blockStart(block, toolUse(call, input: [:]))
                + event("content_block_delta", ["type": "content_block_delta", "index": .int(block),
                                                "delta": ["type": "input_json_delta", "partial_json": .string(call.arguments.compact)]])
                + event("content_block_stop", ["type": "content_block_stop", "index": .int(block)]))
            block += 1
        }
        let closing = [
            event("message_delta", ["type": "message_delta", "delta": ["stop_reason": .string(stopReason), "stop_sequence": nil],
                                     "usage": ["output_tokens": .int(outputTokens)]]),
            event("message_stop", ["type": "message_stop"]),
        ]
        return builder.script(tokenCount: pieces.count, chunk: { i in (i == 0 ? start : []) + pieces[i] }, closing: closing)
    }
}
