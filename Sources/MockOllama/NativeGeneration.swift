import LabCore
import LabHTTP

/// `/api/chat` and `/api/generate`.
extension MockOllama {
    /// Finds the model, or the error Ollama gives for it.
    func resolve(_ raw: String, _ surface: ErrorSurface, emptyStatus: Int = 400) -> Result<MockModel, ScriptError> {
        guard !raw.trimmingSpaces.isEmpty else {
            return .failure(ScriptError(emptyStatus == 400 ? Responses.error(surface, 400, "model is required")
                                                          : Responses.error(surface, emptyStatus, MockOllama.modelNotFound(""))))
        }
        guard let model = catalogue.find(raw) else {
            return .failure(ScriptError(Responses.modelNotFound(surface, raw)))
        }
        return .success(model)
    }

    func chat(_ request: ChatRequest) -> WireScript {
        if let refused = Self.topLogprobsRefusal(request.topLogprobs) { return Responses.error(.native, 400, refused) }
        let requested = request.model
        let model: MockModel
        switch resolve(requested, .native) {
        case .success(let m): model = m
        case .failure(let e): return e.script
        }
        let messages = request.messages
        let keepAlive = request.keepAlive
        // Ollama's order: an unload asks nothing of the model; then what it cannot do, the
        // options' types (a 500, met when loading), and only then an empty request loads it.
        if messages.isEmpty && keepAlive == 0 { return loadAnswer(model, requested, keepAlive: 0) }
        if let why = refusal(model, requested: requested, request.ask, needs: "chat") { return Responses.error(.native, 400, why) }
        if let refused = request.options.refusal { return Responses.error(.native, 500, refused) }
        guard !messages.isEmpty else { return loadAnswer(model, requested, keepAlive: keepAlive) }
        let ask = request.ask
        guard markLoaded(model, keepAlive: keepAlive) else { return Responses.error(.native, 503, Self.serverBusy) }
        let options = request.options
        let gen = generation(model, messages: messages, ask: ask, seed: options.seed, maxTokens: options.numPredict, stop: options.stop)
        let promptTokens: Int
        switch fitting(gen.promptTokens, model, request.context, .native) {
        case .success(let n): promptTokens = n
        case .failure(let e): return e.script
        }
        let pacing = self.pacing(for: model)
        // Each streamed message is made when it is sent, from the tokens: only they are held.
        let thinking = gen.thinking, tokens = gen.content.tokens, calls = gen.toolCalls
        let pieceCount = thinking.count + tokens.count + (calls.isEmpty ? 0 : 1)
        func piece(_ i: Int) -> JSONValue {
            if i < thinking.count { return ["role": "assistant", "content": "", "thinking": .string(thinking[i])] }
            if i - thinking.count < tokens.count { return ["role": "assistant", "content": .string(tokens[i - thinking.count])] }
            return ["role": "assistant", "content": "", "tool_calls": Self.nativeToolCalls(calls)]
        }
        let metrics = Metrics(promptTokens: promptTokens, evalTokens: pieceCount, pacing: pacing, loadMs: loadWaitMs)
        let builder = StreamBuilder(contentType: Responses.ndjson, pacing: pacing)
        let finalAt = pacing.tokenTimeMs(max(pieceCount - 1, 0))
        answerLasts(model, ms: finalAt)
        let now = self.now, start = self.start
        // Thinking and text tokens each have theirs; a tool call, made whole, has none.
        let logprobs = self.logprobs(request.logprobs, top: request.topLogprobs, seed: options.seed)
        func final(_ message: ReplyBytes.AssistantMessage, lateMs: Int, logprobs: [JSONValue]? = nil) -> [UInt8] {
            ReplyBytes.nativeFinal(model: requested, createdAt: now.adding(milliseconds: finalAt + lateMs), message: message,
                                   doneReason: gen.content.doneReason, metrics: metrics.starting(lateMs: lateMs), logprobs: logprobs,
                                   tail: &nativeFinalTail, second: &finalSecond)
        }
        guard request.stream else {
            let all = logprobs?.entries(thinking + tokens)
            let message = gen.wholeMessage(thinkingKey: "thinking", calls: Self.nativeToolCalls)
            // Made now unless it may wait for a slot: most answers form no closure.
            guard let start else { return builder.delayed(jsonHead.answer(.native, bytes: final(message, lateMs: 0, logprobs: all)), tokenCount: pieceCount) }
            return builder.delayed(tokenCount: pieceCount, start: start) { [self] lateMs in
                jsonHead.answer(.native, bytes: final(message, lateMs: lateMs, logprobs: all))
            }
        }
        return builder.script(tokenCount: pieceCount, chunk: { i in
            let createdAt = now.adding(milliseconds: pacing.tokenTimeMs(i) + (start?.lateMs ?? 0))
            if logprobs == nil, i >= thinking.count, i - thinking.count < tokens.count {
                return ReplyBytes.nativeContentLine(model: requested, createdAt: createdAt, content: tokens[i - thinking.count])
            }
            var line: [(String, JSONValue)] = [("model", .string(requested)), ("created_at", .string(createdAt.rfc3339)), ("message", piece(i)), ("done", false)]
            if let logprobs, i < thinking.count + tokens.count {
                line.append(("logprobs", [logprobs.entry(i < thinking.count ? thinking[i] : tokens[i - thinking.count], at: i)]))
            }
            return Responses.line(.object(line))
        }, closing: { [final(.content(""), lateMs: start?.lateMs ?? 0) + [10]] })
    }

    /// The answer to a request with nothing to generate: the model loaded, or with
    /// `keep_alive: 0` sent out of memory.
    private func loadAnswer(_ model: MockModel, _ requested: String, keepAlive: Int?, generate: Bool = false) -> WireScript {
        let unload = keepAlive == 0
        // An empty request loads the model (and waits for the load), or unloads it.
        if unload { expire(model) } else if !markLoaded(model, keepAlive: keepAlive) { return Responses.error(.native, 503, Self.serverBusy) }
        // Ollama answers once the model is ready, without asking its runner for a slot.
        generating = nil
        let reason: JSONValue = .string(unload ? "unload" : "load")
        if generate {
            return Responses.json(.native, [
                "model": .string(requested), "created_at": .string(timestamp()), "response": "", "done": true, "done_reason": reason,
            ])
        }
        return Responses.json(.native, [
            "model": .string(requested), "created_at": .string(timestamp()),
            "message": ["role": "assistant", "content": ""], "done_reason": reason, "done": true,
        ])
    }

    static func topLogprobsRefusal(_ value: Int?) -> String? {
        guard let value, value < 0 || value > 20 else { return nil }
        return "top_logprobs must be between 0 and 20"
    }

    /// Native tool calls: `arguments` an object, the index inside `function`.
    static func nativeToolCalls(_ calls: [ToolCall]) -> JSONValue {
        .array(calls.enumerated().map { i, call in
            ["id": .string(call.id), "function": ["index": .int(i), "name": .string(call.name), "arguments": call.arguments]]
        })
    }

    func generate(_ request: GenerateRequest) -> WireScript {
        if let refused = Self.topLogprobsRefusal(request.topLogprobs) { return Responses.error(.native, 400, refused) }
        let requested = request.model
        let model: MockModel
        switch resolve(requested, .native, emptyStatus: 404) {
        case .success(let m): model = m
        case .failure(let e): return e.script
        }
        let ask = request.ask
        let prompt = request.prompt
        let keepAlive = request.keepAlive
        if prompt.isEmpty && keepAlive == 0 { return loadAnswer(model, requested, keepAlive: 0, generate: true) }
        if request.raw && request.rawRefused { return Responses.error(.native, 400, "raw mode does not support template, system, or context") }
        if let why = refusal(model, requested: requested, ask, needs: "generate", insert: !request.suffix.isEmpty) {
            return Responses.error(.native, 400, why)
        }
        if let refused = request.options.refusal { return Responses.error(.native, 500, refused) }
        guard !prompt.isEmpty else { return loadAnswer(model, requested, keepAlive: keepAlive, generate: true) }
        guard markLoaded(model, keepAlive: keepAlive) else { return Responses.error(.native, 503, Self.serverBusy) }
        let system = request.system
        let options = request.options
        let conversation = system.isEmpty ? prompt : "system: \(system)\nuser: \(prompt)"
        let gen: Generation
        if ask.format != nil || ask.think {
            let messages = (system.isEmpty ? [] : [ChatMessage(role: "system", content: system)]) + [ChatMessage(role: "user", content: prompt)]
            gen = generation(model, messages: messages, ask: ask, seed: options.seed, maxTokens: options.numPredict, stop: options.stop)
        } else {
            gen = Generation(content: replies.reply(model: model.name, conversation: conversation, lastUserText: prompt,
                                                    requestSeed: options.seed, maxTokens: options.numPredict, stop: options.stop))
        }
        let reply = gen.content
        let pacing = self.pacing(for: model)
        let promptTokens: Int
        switch fitting(Tokenizer.count(conversation), model, request.context, .native) {
        case .success(let n): promptTokens = n
        case .failure(let e): return e.script
        }
        let metrics = Metrics(promptTokens: promptTokens, evalTokens: reply.tokens.count, pacing: pacing, loadMs: loadWaitMs)
        let builder = StreamBuilder(contentType: Responses.ndjson, pacing: pacing)
        // Token ids for `context`, stable for the same text.
        let context = (Tokenizer.tokens(conversation) + reply.tokens).map { Int(StableHash.fnv1a($0) % 128_000) }
        // The final line comes with the last piece, thinking included.
        let pieceCount = gen.thinking.count + reply.tokens.count
        let finalAt = pacing.tokenTimeMs(max(pieceCount - 1, 0))
        answerLasts(model, ms: finalAt)
        let now = self.now, start = self.start
        let logprobs = self.logprobs(request.logprobs, top: request.topLogprobs, seed: options.seed)
        func final(_ text: String, lateMs: Int, thinking: String? = nil, logprobs: [JSONValue]? = nil) -> [UInt8] {
            ReplyBytes.nativeGenerateFinal(model: requested, createdAt: now.adding(milliseconds: finalAt + lateMs), response: text,
                                           doneReason: reply.doneReason, context: context, metrics: metrics.starting(lateMs: lateMs),
                                           thinking: thinking, logprobs: logprobs)
        }
        guard request.stream else {
            let thinking = gen.thinking.isEmpty ? nil : gen.thinkingText, all = logprobs?.entries(gen.thinking + reply.tokens)
            guard let start else {
                return builder.delayed(jsonHead.answer(.native, bytes: final(reply.text, lateMs: 0, thinking: thinking, logprobs: all)), tokenCount: pieceCount)
            }
            return builder.delayed(tokenCount: pieceCount, start: start) { [self] lateMs in
                jsonHead.answer(.native, bytes: final(reply.text, lateMs: lateMs, thinking: thinking, logprobs: all))
            }
        }
        let pieces: [(String, String)] = gen.thinking.map { ("thinking", $0) } + reply.tokens.map { ("response", $0) }
        return builder.script(tokenCount: pieces.count, chunk: { i in
            let createdAt = now.adding(milliseconds: pacing.tokenTimeMs(i) + (start?.lateMs ?? 0))
            if logprobs == nil, pieces[i].0 == "response" {
                return ReplyBytes.nativeResponseLine(model: requested, createdAt: createdAt, response: pieces[i].1)
            }
            var line: [(String, JSONValue)] = [("model", .string(requested)), ("created_at", .string(createdAt.rfc3339))]
            line += pieces[i].0 == "thinking" ? [("response", ""), ("thinking", .string(pieces[i].1))] : [("response", .string(pieces[i].1))]
            line.append(("done", false))
            if let logprobs { line.append(("logprobs", [logprobs.entry(pieces[i].1, at: i)])) }
            return Responses.line(.object(line))
        }, closing: { [final("", lateMs: start?.lateMs ?? 0) + [10]] })
    }

    func pacing(for model: MockModel) -> Pacing {
        options.pacing(for: model.name)
    }
}

/// A failed lookup carries the error response to send.
struct ScriptError: Error {
    let script: WireScript
    init(_ script: WireScript) { self.script = script }
}

/// The text of a message list, as the mock model reads it, and its length in tokens.
struct Conversation {
    var text: String
    var lastUser: String
    var tokens: Int

    init(messages: [ChatMessage]) {
        // `role: content` lines joined by newlines, copied into the string's own storage.
        let size = messages.reduce(0) { $0 + $1.role.utf8.count + $1.content.utf8.count + 3 }
        text = String(unsafeUninitializedCapacity: max(size, 1)) { out in
            var at = 0
            func put(_ s: String) {
                var s = s
                s.withUTF8 { bytes in
                    _ = UnsafeMutableBufferPointer(rebasing: out[at..<(at + bytes.count)]).initialize(from: bytes)
                    at += bytes.count
                }
            }
            for (i, message) in messages.enumerated() {
                if i > 0 { put("\n") }
                put(message.role)
                put(": ")
                put(message.content)
            }
            return at
        }
        lastUser = messages.last { $0.role == "user" }?.content ?? ""
        tokens = Tokenizer.count(text)
    }
}
