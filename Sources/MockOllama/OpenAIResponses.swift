import LabCore
import LabHTTP

/// `/v1/responses`: OpenAI's Responses API as Ollama serves it — `input` as a string or
/// a list of messages, `instructions`, flat function `tools`, `text.format` for structured
/// output, `reasoning.effort`; the answer as `output` items, streamed as named events.
extension MockOllama {
    func openAIResponses(_ request: ResponsesRequest) -> WireScript {
        let model: MockModel
        let requested = request.model
        switch resolve(requested, .ollamaOpenAI) {
        case .success(let m): model = m
        case .failure(let e): return e.script
        }
        guard model.supports(.completion) else { return Responses.error(.ollamaOpenAI, 400, "\"\(requested)\" does not support chat") }
        guard let messages = request.messages else { return Responses.error(.ollamaOpenAI, 400, "input is required") }
        let ask = request.ask
        if let why = refusal(model, requested: requested, ask, needs: "chat") { return Responses.error(.ollamaOpenAI, 400, why) }
        guard markLoaded(model) else { return Responses.error(.ollamaOpenAI, 503, Self.serverBusy) }
        let gen = generation(model, messages: messages, ask: ask, seed: nil, maxTokens: request.maxOutputTokens, stop: [])
        let number = nextCompletionNumber()
        let responseID = "resp_\(number)", messageID = "msg_\(number)"
        let inputTokens: Int
        switch fitting(gen.promptTokens, model, request.context, .ollamaOpenAI) {
        case .success(let n): inputTokens = n
        case .failure(let e): return e.script
        }
        let usage: JSONValue = ["input_tokens": .int(inputTokens), "output_tokens": .int(gen.thinking.count + gen.content.tokens.count),
                                "total_tokens": .int(inputTokens + gen.thinking.count + gen.content.tokens.count)]
        var output: [JSONValue] = []
        if !gen.thinking.isEmpty {
            output.append(["id": .string("rs_\(number)"), "type": "reasoning", "summary": [["type": "summary_text", "text": .string(gen.thinkingText)]]])
        }
        for call in gen.toolCalls {
            output.append(["id": .string("fc_\(number)"), "type": "function_call", "status": "completed", "call_id": .string(call.id),
                           "name": .string(call.name), "arguments": .string(call.arguments.compact)])
        }
        if gen.toolCalls.isEmpty {
            output.append(Self.messageItem(messageID, text: gen.text, done: true))
        }
        func response(_ status: String, output: [JSONValue]) -> JSONValue {
            .object([("id", .string(responseID)), ("object", "response"), ("created_at", .int(now.seconds)), ("status", .string(status)),
                     ("model", .string(requested)), ("output", .array(output)), ("usage", status == "completed" ? usage : .null)])
        }
        let pacing = self.pacing(for: model)
        let builder = StreamBuilder(contentType: Responses.eventStream, pacing: pacing)
        answerLasts(model, ms: pacing.tokenTimeMs(max(gen.content.tokens.count - 1, 0)))
        guard request.stream else {
            return builder.delayed(Responses.json(.ollamaOpenAI, response("completed", output: output)), tokenCount: gen.content.tokens.count)
        }
        var sequence = 0
        func event(_ type: String, _ fields: [(String, JSONValue)]) -> [UInt8] {
            defer { sequence += 1 }
            let data = JSONValue.object([("type", .string(type)), ("sequence_number", .int(sequence))] + fields).compactBytes
            return Array("event: \(type)\ndata: ".utf8) + data + [10, 10]
        }
        var opening = [event("response.created", [("response", response("in_progress", output: []))]),
                       event("response.in_progress", [("response", response("in_progress", output: []))])]
        var pieces: [[UInt8]] = []
        var closing: [[UInt8]] = []
        if let call = gen.toolCalls.first {
            let item = output[output.count - 1]
            opening.append(event("response.output_item.added", [("output_index", 0), ("item", item.setting("arguments", "").setting("status", "in_progress"))]))
            pieces = [event("response.function_call_arguments.delta", [("item_id", .string("fc_\(number)")), ("output_index", 0), ("delta", .string(call.arguments.compact))])]
            closing = [event("response.function_call_arguments.done", [("item_id", .string("fc_\(number)")), ("output_index", 0), ("arguments", .string(call.arguments.compact))]),
                       event("response.output_item.done", [("output_index", 0), ("item", item)])]
        } else {
            let index = JSONValue.int(output.count - 1)
            let where_: [(String, JSONValue)] = [("item_id", .string(messageID)), ("output_index", index), ("content_index", 0)]
            opening.append(event("response.output_item.added", [("output_index", index), ("item", Self.messageItem(messageID, text: "", done: false))]))
            opening.append(event("response.content_part.added", where_ + [("part", ["type": "output_text", "text": "", "annotations": []])]))
            pieces = gen.content.tokens.map { event("response.output_text.delta", where_ + [("delta", .string($0)), ("logprobs", [])]) }
            closing = [event("response.output_text.done", where_ + [("text", .string(gen.text)), ("logprobs", [])]),
                       event("response.content_part.done", where_ + [("part", ["type": "output_text", "text": .string(gen.text), "annotations": []])]),
                       event("response.output_item.done", [("output_index", index), ("item", output[output.count - 1])])]
        }
        closing.append(event("response.completed", [("response", response("completed", output: output))]))
        // The opening events leave with the head, as the first token does.
        let first = opening.reduce([], +)
        return builder.script(tokenCount: max(pieces.count, 1), chunk: { i in
            (i == 0 ? first : []) + (i < pieces.count ? pieces[i] : [])
        }, closing: closing)
    }

    static func messageItem(_ id: String, text: String, done: Bool) -> JSONValue {
        ["id": .string(id), "type": "message", "status": .string(done ? "completed" : "in_progress"), "role": "assistant",
         "content": done ? [["type": "output_text", "text": .string(text), "annotations": []]] : []]
    }
}
