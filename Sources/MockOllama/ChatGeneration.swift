import LabCore

/// One tool call the mock decided to make.
struct ToolCall {
    var id: String
    var name: String
    /// Always an object (ollama-python refuses a string).
    var arguments: JSONValue
}

/// A chat answer as it will be sent: thinking first, then content, or tool calls.
struct Generation {
    var thinking: [String] = []
    var content: Reply
    var toolCalls: [ToolCall] = []
    /// The conversation's length in tokens, for usage and metrics.
    var promptTokens = 0

    var text: String { content.text }
    var thinkingText: String { thinking.joined() }

    /// The assistant's message in a whole answer: its text alone (most answers), or with the
    /// thinking under `thinkingKey` and the tool calls as `calls` writes them for the surface.
    func wholeMessage(thinkingKey: String, calls: ([ToolCall]) -> JSONValue) -> ReplyBytes.AssistantMessage {
        guard !thinking.isEmpty || !toolCalls.isEmpty else { return .content(text) }
        var tree: [(String, JSONValue)] = [("role", "assistant"), ("content", .string(text))]
        if !thinking.isEmpty { tree.append((thinkingKey, .string(thinkingText))) }
        if !toolCalls.isEmpty { tree.append(("tool_calls", calls(toolCalls))) }
        return .tree(.object(tree))
    }
}

extension MockOllama {
    /// Real Ollama's 400 for what the model cannot do, or nil.
    ///
    /// In Ollama's order: thinking is checked by the handler, then the scheduler checks the
    /// capabilities the request needs — completion (`needs` names the endpoint in its
    /// message), fill-in-the-middle for a `suffix`, tools.
    func refusal(_ model: MockModel, requested: String, _ ask: ChatAsk, needs endpoint: String, insert: Bool = false) -> String? {
        if ask.think, !model.supports(.thinking) { return "\"\(requested)\" does not support thinking" }
        if model.isEmbeddingOnly { return "\"\(requested)\" does not support \(endpoint)" }
        if insert, !model.supports(.insert) { return model.lacks(.insert) }
        if !ask.tools.isEmpty, !model.supports(.tools) { return model.lacks(.tools) }
        return nil
    }

    /// The prompt tokens the model takes in, or Ollama's 400 when the prompt does not fit
    /// its window (`options.num_ctx`, else the model's context length) and may not be cut.
    func fitting(_ promptTokens: Int, _ model: MockModel, _ ask: ContextAsk, _ surface: ErrorSurface) -> Result<Int, ScriptError> {
        let window = ask.window ?? model.contextLength
        guard promptTokens > window else { return .success(promptTokens) }
        if options.contextOverflow == .error || ask.truncate == false {
            return .failure(ScriptError(Responses.error(surface, 400, Self.contextExceeded)))
        }
        return .success(window)
    }

    public static let contextExceeded = "the input length exceeds the context length"

    /// The tokens' log probabilities when the request asked for them (`logprobs: true`),
    /// seeded as its answer is.
    func logprobs(_ asked: Bool, top: Int?, seed: Int?) -> TokenLogprobs? {
        guard asked else { return nil }
        return TokenLogprobs(top: top ?? 0, seed: seed.map { UInt64(bitPattern: Int64($0)) } ?? options.seed)
    }

    /// A plain answer, the last one again when everything it depends on is the same: it is a
    /// pure function of these, and a client repeating a request (a load, a gateway's retry)
    /// would otherwise match the canned patterns against the same words every time. Kept
    /// beside the transcript it answered, and only once its messages came again (`reused`),
    /// so that a client whose every request is new pays nothing for keeping it.
    private func plainReply(_ model: MockModel, _ transcript: Conversation, reused: Bool,
                            seed: Int?, maxTokens: Int?, stop: [String]) -> Reply {
        if reused, let last = lastTranscript?.plainReply, last.model === model, last.seed == seed, last.maxTokens == maxTokens,
           last.stop == stop {
            return last.reply
        }
        let reply = replies.reply(model: model.name, conversation: transcript.text, lastUserText: transcript.lastUser,
                                  requestSeed: seed, maxTokens: maxTokens, stop: stop)
        if reused {
            lastTranscript?.plainReply = PlainReply(model: model, seed: seed, maxTokens: maxTokens, stop: stop, reply: reply)
        }
        return reply
    }

    /// A plain answer and what, besides its transcript, it was made from.
    final class PlainReply {
        let model: MockModel
        let seed: Int?, maxTokens: Int?
        let stop: [String]
        let reply: Reply

        init(model: MockModel, seed: Int?, maxTokens: Int?, stop: [String], reply: Reply) {
            (self.model, self.seed, self.maxTokens, self.stop, self.reply) = (model, seed, maxTokens, stop, reply)
        }
    }

    /// The transcript of `messages`, the last one's again (`reused`) when they are the very
    /// array it was made from: a body kept decoded (`RecentBodies`) hands every repeat of it
    /// the same array, and an array that is shared is never changed in place, so the same
    /// storage holds the same messages (while the array is kept, its storage cannot be
    /// reused for another).
    func transcript(of messages: [ChatMessage]) -> (transcript: Conversation, reused: Bool) {
        if let last = lastTranscript, last.messages.count == messages.count,
           last.messages.withUnsafeBufferPointer({ $0.baseAddress }) == messages.withUnsafeBufferPointer({ $0.baseAddress }) {
            return (last.transcript, true)
        }
        let made = Conversation(messages: messages)
        lastTranscript = (messages, made, nil)
        return (made, false)
    }

    /// The answer to a conversation: a pure function of the model, the messages, what
    /// was asked and the seed. With tools and no tool result yet, the model calls the
    /// tool that best fits the last user message; after a tool result it answers in text.
    func generation(_ model: MockModel, messages: [ChatMessage], ask: ChatAsk, seed: Int?, maxTokens: Int?, stop: [String]) -> Generation {
        let (transcript, reused) = self.transcript(of: messages)
        let seedValue = seed.map { UInt64(bitPattern: Int64($0)) } ?? options.seed
        // Drawn from only for tools and schemas; a plain answer does not pay for seeding it.
        lazy var random = SeededRandom(seed: seedValue, key: "generation\u{1}", model.name.key, "\u{1}", transcript.text)
        var thinking: [String] = []
        if ask.think, model.supports(.thinking) {
            thinking = replies.reply(model: model.name, conversation: "thinking\u{1}" + transcript.text, lastUserText: "",
                                     requestSeed: seed, maxTokens: 48).tokens
        }
        // Each way out makes its answer whole: one filled in step by step was copied on return.
        func answer(_ content: Reply) -> Generation {
            Generation(thinking: thinking, content: content, promptTokens: transcript.tokens)
        }
        func calling(_ call: ToolCall) -> Generation {
            // Empty: joining no tokens still costs a call per request.
            Generation(thinking: thinking, content: Reply(tokens: [], doneReason: "stop", text: ""), toolCalls: [call],
                       promptTokens: transcript.tokens)
        }
        let lastRole = messages.last?.role ?? ""
        // Only tool arguments and structured output use the request's words: a plain answer
        // (most requests) does not pay for finding them.
        func words() -> [String] { Self.answerWords(transcript.lastUser) }
        if !ask.tools.isEmpty, lastRole != "tool", let forced = replies.cannedToolCall(for: transcript.lastUser) {
            let id = "call_" + String((0..<8).map { _ in Self.idAlphabet[Int(random.next() % UInt64(Self.idAlphabet.count))] })
            return calling(ToolCall(id: id, name: forced.name, arguments: forced.arguments.objectValue != nil ? forced.arguments : .object([])))
        }
        if !ask.tools.isEmpty, lastRole != "tool", let tool = Self.chooseTool(ask.tools, for: transcript.lastUser, random: &random) {
            var schema = SchemaValue(random: random, words: words())
            let arguments = schema.value(for: tool.parameters)
            let id = "call_" + String((0..<8).map { _ in Self.idAlphabet[Int(random.next() % UInt64(Self.idAlphabet.count))] })
            return calling(ToolCall(id: id, name: tool.name ?? "tool", arguments: arguments.objectValue != nil ? arguments : .object([])))
        }
        switch ask.format {
        case .json?:
            let reply = replies.reply(model: model.name, conversation: transcript.text, lastUserText: transcript.lastUser, requestSeed: seed)
            return answer(Reply(tokens: Self.jsonTokens(JSONValue.object([("answer", .string(reply.text))]).compact), doneReason: "stop"))
        case .schema(let schema)?:
            var generator = SchemaValue(random: random, words: words())
            return answer(Reply(tokens: Self.jsonTokens(generator.value(for: schema).compact), doneReason: "stop"))
        case nil:
            return answer(plainReply(model, transcript, reused: reused, seed: seed, maxTokens: maxTokens, stop: stop))
        }
    }

    static let idAlphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// The tool whose name and description share most words with the request; ties by draw.
    static func chooseTool(_ tools: [ToolSpec], for text: String, random: inout SeededRandom) -> ToolSpec? {
        let asked = Set(words(text))
        let scored = tools.map { tool -> (ToolSpec, Int) in
            let described = words((tool.name ?? "").replacingUnderscores + " " + tool.description)
            return (tool, Set(described).intersection(asked).count)
        }
        guard let best = scored.map(\.1).max() else { return nil }
        let top = scored.filter { $0.1 == best }
        return top[Int(random.next() % UInt64(top.count))].0
    }

    static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init).filter { $0.count > 2 }
    }

    /// Strings the answer may use: proper names in the request first ("Paris").
    static func answerWords(_ text: String) -> [String] {
        let raw = text.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        let names = raw.dropFirst().filter { $0.first?.isUppercase == true }
        if !names.isEmpty { return Array(names) }
        let long = raw.filter { $0.count > 3 }
        return long.isEmpty ? ["lab"] : long
    }

    /// Structured output streams in small pieces, as a model emits JSON.
    static func jsonTokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for c in text {
            current.append(c)
            if current.count >= 6 || "{}[],".contains(c) {
                tokens.append(current)
                current = ""
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
