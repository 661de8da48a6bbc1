import LabCore
import LabHTTP

/// The OpenAI-compatible `/v1` surface.
extension MockOllama {
    func openAIModels() -> WireScript {
        Responses.json(.ollamaOpenAI, ["object": "list", "data": .array(catalogue.models.map { model in
            ["id": .string(model.name.description), "object": "model", "created": .int(model.modifiedUnix),
             "owned_by": .string(model.name.namespace)]
        })])
    }

    func openAIModel(_ id: String) -> WireScript {
        guard let model = catalogue.find(id) else { return Responses.modelNotFound(.ollamaOpenAI, id) }
        return Responses.json(.ollamaOpenAI, ["id": .string(id), "object": "model", "created": .int(model.modifiedUnix),
                                        "owned_by": .string(model.name.namespace)])
    }

    private func openAIModelFor(_ requested: String, capability: String) -> Result<MockModel, ScriptError> {
        switch resolve(requested, .ollamaOpenAI) {
        case .failure(let e): return .failure(e)
        case .success(let model):
            guard model.capabilities.contains(capability) else {
                return .failure(ScriptError(Responses.error(.ollamaOpenAI, 400, "\"\(requested)\" does not support \(capability == "completion" ? "chat" : capability)")))
            }
            return .success(model)
        }
    }

    private func usage(prompt: Int, completion: Int) -> JSONValue {
        ["prompt_tokens": .int(prompt), "completion_tokens": .int(completion), "total_tokens": .int(prompt + completion)]
    }

    func openAIChat(_ request: OpenAIChatRequest) -> WireScript {
        guard request.messageCount > 0 else {
            return Responses.error(.ollamaOpenAI, 400, "[] is too short - 'messages'")
        }
        let messages: [ChatMessage]
        switch request.messages {
        case .success(let m): messages = m
        case .failure(let refused): return Responses.error(.ollamaOpenAI, 400, refused.message)
        }
        if let refused = ChatAsk.effortRefusal(request.effort) { return Responses.error(.ollamaOpenAI, 400, refused) }
        // The chat handler's own check, behind the compatibility layer.
        if let refused = Self.topLogprobsRefusal(request.topLogprobs) { return Responses.error(.ollamaOpenAI, 400, refused) }
        let requested = request.model
        let model: MockModel
        switch openAIModelFor(requested, capability: "completion") {
        case .success(let m): model = m
        case .failure(let e): return e.script
        }
        let ask = request.ask
        if let why = refusal(model, requested: requested, ask, needs: "chat") { return Responses.error(.ollamaOpenAI, 400, why) }
        // What the model cannot do is refused before it is loaded, as Ollama's scheduler does.
        guard markLoaded(model) else { return Responses.error(.ollamaOpenAI, 503, Self.serverBusy) }
        let gen = generation(model, messages: messages, ask: ask, seed: request.seed, maxTokens: request.maxTokens, stop: request.stop)
        let promptTokens: Int
        switch fitting(gen.promptTokens, model, request.context, .ollamaOpenAI) {
        case .success(let n): promptTokens = n
        case .failure(let e): return e.script
        }
        let pacing = self.pacing(for: model)
        let idText = nextChatCompletionID()
        let id: JSONValue = .string(idText)
        // Ollama stamps a chunk when it writes it, and a whole answer with its last piece's time.
        let now = self.now, start = self.start
        func created(atMs: Int, lateMs: Int) -> Int { now.adding(milliseconds: atMs + lateMs).seconds }
        let builder = StreamBuilder(contentType: Responses.eventStream, pacing: pacing)
        let deltaCount = gen.thinking.count + gen.content.tokens.count + (gen.toolCalls.isEmpty ? 0 : 1)
        let finalAt = pacing.tokenTimeMs(max(deltaCount - 1, 0))
        answerLasts(model, ms: finalAt)
        // Thinking and text tokens each have theirs (`choices[0].logprobs.content`); a tool call has none.
        let logprobs = self.logprobs(request.logprobs, top: request.topLogprobs, seed: request.seed)
        let finishReason = gen.toolCalls.isEmpty ? gen.content.doneReason : "tool_calls"
        guard request.stream else {
            let message = gen.wholeMessage(thinkingKey: "reasoning", calls: Self.openAIToolCalls)
            let all = logprobs?.entries(gen.thinking + gen.content.tokens)
            func answer(lateMs: Int) -> WireScript {
                jsonHead.answer(.ollamaOpenAI, bytes: ReplyBytes.openAICompletion(
                    id: idText, created: created(atMs: finalAt, lateMs: lateMs), model: requested, message: message,
                    finish: finishReason, promptTokens: promptTokens, completionTokens: deltaCount, logprobs: all,
                    tail: &openAICompletionTail))
            }
            // Made now unless it may wait for a slot: most answers form no closure.
            guard let start else { return builder.delayed(answer(lateMs: 0), tokenCount: deltaCount) }
            return builder.delayed(tokenCount: deltaCount, start: start) { answer(lateMs: $0) }
        }
        let finish: JSONValue = .string(finishReason)
        // The reference order: the first delta names the role, later ones carry only what is new.
        // Each delta is made when it is sent, from the tokens: only they are held.
        let thinking = gen.thinking, tokens = gen.content.tokens, calls = gen.toolCalls
        func delta(_ i: Int) -> JSONValue {
            let d: JSONValue
            if i < thinking.count { d = ["content": "", "reasoning": .string(thinking[i])] }
            else if i - thinking.count < tokens.count { d = ["content": .string(tokens[i - thinking.count])] }
            else { d = ["content": "", "tool_calls": Self.openAIToolCalls(calls)] }
            return i == 0 ? .object([("role", "assistant")] + (d.objectValue ?? [])) : d
        }
        let usage = usage(prompt: promptTokens, completion: deltaCount)
        func chunk(_ choices: JSONValue, created: Int, usage: JSONValue? = nil) -> JSONValue {
            var members: [(String, JSONValue)] = [("id", id), ("object", "chat.completion.chunk"), ("created", .int(created)),
                                                  ("model", .string(requested)), ("system_fingerprint", "fp_ollama"), ("choices", choices)]
            if let usage { members.append(("usage", usage)) }
            return .object(members)
        }
        let includeUsage = request.includeUsage
        return builder.script(tokenCount: deltaCount, chunk: { i in
            let createdSeconds = created(atMs: pacing.tokenTimeMs(i), lateMs: start?.lateMs ?? 0)
            if logprobs == nil, i >= thinking.count, i - thinking.count < tokens.count {
                return ReplyBytes.openAIContentChunk(id: idText, created: createdSeconds, model: requested,
                                                     content: tokens[i - thinking.count], first: i == 0)
            }
            var choice: [(String, JSONValue)] = [("index", 0), ("delta", delta(i)), ("finish_reason", nil)]
            if let logprobs, i < thinking.count + tokens.count {
                choice.append(("logprobs", ["content": [logprobs.entry(i < thinking.count ? thinking[i] : tokens[i - thinking.count], at: i)]]))
            }
            return Responses.event(chunk([.object(choice)], created: createdSeconds))
        }, closing: {
            let at = created(atMs: finalAt, lateMs: start?.lateMs ?? 0)
            var closing = [Responses.event(chunk([["index": 0, "delta": [:], "finish_reason": finish]], created: at))]
            if includeUsage { closing.append(Responses.event(chunk([], created: at, usage: usage))) }
            closing.append(Responses.doneEvent)
            return closing
        })
    }

    /// OpenAI-shaped tool calls: `arguments` a JSON string, `index` beside `id`.
    static func openAIToolCalls(_ calls: [ToolCall]) -> JSONValue {
        .array(calls.enumerated().map { i, call in
            ["id": .string(call.id), "index": .int(i), "type": "function",
             "function": ["name": .string(call.name), "arguments": .string(call.arguments.compact)]]
        })
    }

    func openAICompletion(_ request: OpenAICompletionRequest) -> WireScript {
        guard let prompt = request.prompt else { return Responses.error(.ollamaOpenAI, 400, "invalid type for 'prompt' field: expected string") }
        if let refused = request.stopRefusal { return Responses.error(.ollamaOpenAI, 400, refused) }
        let requested = request.model
        let model: MockModel
        switch openAIModelFor(requested, capability: "completion") {
        case .success(let m): model = m
        case .failure(let e): return e.script
        }
        guard markLoaded(model) else { return Responses.error(.ollamaOpenAI, 503, Self.serverBusy) }
        let reply = replies.reply(model: model.name, conversation: prompt, lastUserText: prompt, requestSeed: request.seed,
                                  maxTokens: request.maxTokens, stop: request.stop)
        let pacing = self.pacing(for: model)
        let id: JSONValue = .string("cmpl-\(nextCompletionNumber())")
        let now = self.now, start = self.start
        func created(atMs: Int, lateMs: Int) -> JSONValue { .int(now.adding(milliseconds: atMs + lateMs).seconds) }
        let promptTokens: Int
        switch fitting(Tokenizer.count(prompt), model, request.context, .ollamaOpenAI) {
        case .success(let n): promptTokens = n
        case .failure(let e): return e.script
        }
        let usage = usage(prompt: promptTokens, completion: reply.tokens.count)
        let builder = StreamBuilder(contentType: Responses.eventStream, pacing: pacing)
        let finalAt = pacing.tokenTimeMs(max(reply.tokens.count - 1, 0))
        answerLasts(model, ms: finalAt)
        func completion(_ text: String, _ finish: JSONValue, created: JSONValue, usage: JSONValue? = nil) -> JSONValue {
            var members: [(String, JSONValue)] = [("id", id), ("object", "text_completion"), ("created", created), ("model", .string(requested)),
                                                  ("system_fingerprint", "fp_ollama"),
                                                  ("choices", [["text": .string(text), "index": 0, "finish_reason": finish]])]
            if let usage { members.append(("usage", usage)) }
            return .object(members)
        }
        guard request.stream else {
            func answer(lateMs: Int) -> WireScript {
                Responses.json(.ollamaOpenAI, completion(reply.text, .string(reply.doneReason), created: created(atMs: finalAt, lateMs: lateMs), usage: usage))
            }
            guard let start else { return builder.delayed(answer(lateMs: 0), tokenCount: reply.tokens.count) }
            return builder.delayed(tokenCount: reply.tokens.count, start: start) { answer(lateMs: $0) }
        }
        let includeUsage = request.includeUsage
        return builder.script(tokenCount: reply.tokens.count, chunk: { i in
            Responses.event(completion(reply.tokens[i], nil, created: created(atMs: pacing.tokenTimeMs(i), lateMs: start?.lateMs ?? 0)))
        }, closing: {
            let at = created(atMs: finalAt, lateMs: start?.lateMs ?? 0)
            var closing = [Responses.event(completion("", .string(reply.doneReason), created: at))]
            if includeUsage {
                closing.append(Responses.event(.object([("id", id), ("object", "text_completion"), ("created", at), ("model", .string(requested)),
                                                        ("system_fingerprint", "fp_ollama"), ("choices", []), ("usage", usage)])))
            }
            closing.append(Responses.doneEvent)
            return closing
        })
    }

    func openAIEmbeddings(_ request: OpenAIEmbedRequest) -> WireScript {
        // Ollama's order: the format, a missing input, then the native handler's input type.
        let format = request.encodingFormat
        guard format == "float" || format == "base64" else {
            return Responses.error(.ollamaOpenAI, 400, "Invalid value for 'encoding_format' = \(format). Supported values: ['float', 'base64'].")
        }
        guard let input = request.input else { return Responses.error(.ollamaOpenAI, 400, "invalid input") }
        let inputs: [String]
        switch input {
        case .string(let text): inputs = [text]
        case .array(let items):
            guard let texts = embedTexts(items) else { return Responses.error(.ollamaOpenAI, 400, "invalid input type") }
            inputs = texts
        default: return Responses.error(.ollamaOpenAI, 400, "invalid input type")
        }
        let model: MockModel
        switch openAIModelFor(request.model, capability: "embedding") {
        case .success(let m): model = m
        case .failure(let e):
            // Ollama embeds with any model; only a missing model is an error here.
            guard let m = catalogue.find(request.model) else { return e.script }
            model = m
        }
        var tokens = 0
        for text in inputs {
            switch fitting(Tokenizer.count(text), model, request.context, .ollamaOpenAI) {
            case .success(let n): tokens += n
            case .failure(let e): return e.script
            }
        }
        let dimensions = request.dimensions.map { min(max($0, 1), model.embeddingLength) } ?? model.embeddingLength
        // Before the model is touched: a refused request loads nothing.
        if let refused = Self.tooManyValues(inputs.count, dimensions) { return Responses.error(.ollamaOpenAI, 400, refused) }
        guard markLoaded(model) else { return Responses.error(.ollamaOpenAI, 503, Self.serverBusy) }
        var out = JSONBytes(capacity: 128 + inputs.count * dimensions * 12, prefix: "{\"object\":\"list\",\"data\":[")
        for (i, text) in inputs.enumerated() {
            let v = Embedder.normalize(embedder.vector(model: model.name, text: text, dimensions: dimensions))
            out.raw(i == 0 ? "{\"object\":\"embedding\",\"embedding\":" : ",{\"object\":\"embedding\",\"embedding\":")
            if format == "base64" { out.string(v.base64) } else { out.floats(v) }
            out.raw(",\"index\":")
            out.int(i)
            out.raw("}")
        }
        out.raw("],\"model\":")
        out.string(request.model)
        out.raw(",\"usage\":{\"prompt_tokens\":")
        out.int(tokens)
        out.raw(",\"total_tokens\":")
        out.int(tokens)
        out.raw("}}")
        return Responses.json(.ollamaOpenAI, bytes: out.bytes)
    }
}
