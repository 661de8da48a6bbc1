import LabCore

/// The replies sent most — native chat and generate lines and their final objects, an
/// OpenAI chat answer and chunk — written straight into bytes around their few variable
/// fields, byte for byte what the same `JSONValue` trees would give. Rarer shapes
/// (thinking pieces, tool calls) go through trees.
enum ReplyBytes {
    private static let modelOpen: StaticString = #"{"model":"#
    private static let createdAt: StaticString = #","created_at":"#
    private static let contentMessage: StaticString = #","message":{"role":"assistant","content":"#
    private static let notDone: StaticString = "},\"done\":false}\n"
    private static let message: StaticString = #","message":"#
    private static let doneReason: StaticString = #","done_reason":"#
    private static let done: StaticString = #","done":true"#

    /// `{"model":…,"created_at":…,"message":{"role":"assistant","content":…},"done":false}` and a newline.
    static func nativeContentLine(model: String, createdAt time: WallTime, content: String) -> [UInt8] {
        nativeLine(model: model, createdAt: time, key: contentMessage, text: content, end: notDone)
    }

    /// A streamed native piece: its one text field between `key` and `end`. Sized to fit:
    /// a stream holds its current piece until the next is due.
    private static func nativeLine(model: String, createdAt time: WallTime, key: StaticString, text: String, end: StaticString) -> [UInt8] {
        var w = nativeOpen(model: model, createdAt: time, capacity: 128 + model.utf8.count + text.utf8.count * 2)
        w.raw(key); w.string(text)
        w.raw(end)
        return w.bytes
    }

    private static let responseKey: StaticString = #","response":"#
    private static let responseNotDone: StaticString = ",\"done\":false}\n"
    private static let doneTrueReason: StaticString = #","done":true,"done_reason":"#
    private static let contextOpen: StaticString = #","context":["#

    /// `{"model":…,"created_at":…,"response":…,"done":false}` and a newline: a streamed
    /// `/api/generate` piece.
    static func nativeResponseLine(model: String, createdAt time: WallTime, response: String) -> [UInt8] {
        nativeLine(model: model, createdAt: time, key: responseKey, text: response, end: responseNotDone)
    }

    /// The final `/api/generate` object: the text, why it stopped, the context's token ids,
    /// the metrics, the thinking when there was some, and last the tokens' log probabilities
    /// when they were asked for.
    static func nativeGenerateFinal(model: String, createdAt time: WallTime, response: String, doneReason reason: String,
                                    context: [Int], metrics: Metrics, thinking: String? = nil, logprobs: [JSONValue]? = nil) -> [UInt8] {
        var w = nativeOpen(model: model, createdAt: time, capacity: 384 + response.utf8.count * 2 + context.count * 7)
        w.raw(responseKey); w.string(response)
        w.raw(doneTrueReason); w.string(reason)
        w.raw(contextOpen)
        for (i, id) in context.enumerated() {
            if i > 0 { w.raw(comma) }
            w.int(id)
        }
        w.raw(closeBracket)
        metrics.write(to: &w)
        if let thinking { w.raw(thinkingKey); w.string(thinking) }
        write(logprobs, to: &w)
        w.raw(closeBrace)
        return w.bytes
    }

    private static let thinkingKey: StaticString = #","thinking":"#
    private static let logprobsKey: StaticString = #","logprobs":"#

    /// `,"logprobs":[…]` when there are any (Ollama's field is `omitempty`).
    private static func write(_ logprobs: [JSONValue]?, to w: inout JSONBytes) {
        guard let logprobs, !logprobs.isEmpty else { return }
        w.raw(logprobsKey); w.value(.array(logprobs))
    }

    private static let comma: StaticString = ","
    private static let closeBracket: StaticString = "]"

    /// The assistant's message in a final answer: plain content (most answers), written
    /// around its one field, or a tree when it carries thinking or tool calls.
    enum AssistantMessage {
        case content(String)
        case tree(JSONValue)
    }

    /// `{"model":…,"created_at":…`: how every native line and final object begins.
    private static func nativeOpen(model: String, createdAt time: WallTime, capacity: Int) -> JSONBytes {
        nativeOpen(model: model, capacity: capacity) { write(time, to: &$0) }
    }

    /// The same with the time written by `time`.
    private static func nativeOpen(model: String, capacity: Int, time: (inout JSONBytes) -> Void) -> JSONBytes {
        var w = JSONBytes(capacity: capacity)
        w.raw(modelOpen); w.string(model)
        w.raw(createdAt); time(&w)
        return w
    }

    /// `"2026-11-27T00:00:00.000000001Z"`: digits and punctuation, nothing to escape.
    private static func write(_ time: WallTime, to w: inout JSONBytes) {
        WallClock.writeQuotedRFC3339(unixSeconds: time.seconds, nanos: time.nanos, to: &w)
    }

    private static let assistantContent: StaticString = #"{"role":"assistant","content":"#

    private static func write(_ message: AssistantMessage, to w: inout JSONBytes) {
        switch message {
        case .content(let text):
            w.raw(assistantContent); w.string(text); w.raw(closeBrace)
        case .tree(let value):
            w.value(value)
        }
    }

    /// The final native chat object: the message, why it stopped, the tokens' log
    /// probabilities when they were asked for, the metrics. Its end after `created_at` is
    /// copied from `tail` when the last one written there had the same plain content, reason
    /// and metrics, and its time's second from `second` when it is the same second.
    static func nativeFinal(model: String, createdAt time: WallTime, message value: AssistantMessage, doneReason reason: String,
                            metrics: Metrics, logprobs: [JSONValue]? = nil, tail: inout ReplyTail<NativeFinalTail>,
                            second: inout LastSecond) -> [UInt8] {
        var w = nativeOpen(model: model, capacity: 384) { second.writeQuoted(time, to: &$0) }
        func end(_ w: inout JSONBytes) {
            w.raw(message); write(value, to: &w)
            w.raw(doneReason); w.string(reason)
            w.raw(done)
            write(logprobs, to: &w)
            metrics.write(to: &w)
            w.raw(closeBrace)
        }
        // Kept only for the plain answers most clients get, not for a message written as a
        // tree or with log probabilities.
        if case .content(let text) = value, logprobs?.isEmpty ?? true {
            tail.write(NativeFinalTail(content: text, reason: reason, metrics: metrics), to: &w, make: end)
        } else {
            end(&w)
        }
        return w.bytes
    }

    /// What a final native chat object's end is made from, for a plain answer.
    struct NativeFinalTail: Equatable {
        let content: String
        let reason: String
        let metrics: Metrics
    }

    private static let closeBrace: StaticString = "}"
    private static let idOpen: StaticString = #"{"id":"#
    private static let completionObject: StaticString = #","object":"chat.completion","created":"#
    private static let chunkObject: StaticString = #","object":"chat.completion.chunk","created":"#
    private static let modelKey: StaticString = #","model":"#
    private static let fingerprintChoices: StaticString = #","system_fingerprint":"fp_ollama","choices":[{"index":0,"#
    private static let messageKey: StaticString = #""message":"#
    private static let finishKey: StaticString = #","finish_reason":"#
    private static let choiceLogprobsKey: StaticString = #","logprobs":{"content":"#
    private static let usageKey: StaticString = #"}],"usage":"#
    private static let promptTokensKey: StaticString = #"{"prompt_tokens":"#
    private static let completionTokensKey: StaticString = #","completion_tokens":"#
    private static let totalTokensKey: StaticString = #","total_tokens":"#
    private static let roleContentDelta: StaticString = #""delta":{"role":"assistant","content":"#
    private static let contentDelta: StaticString = #""delta":{"content":"#
    private static let chunkEnd: StaticString = "},\"finish_reason\":null}]}\n\n"
    private static let dataPrefix: StaticString = "data: "

    /// An OpenAI `chat.completion` answer, as Ollama's `/v1` writes it; the tokens' log
    /// probabilities, when asked for, as the choice's `logprobs.content`. Its end after the
    /// model is copied from `tail` when the last one written there had the same plain
    /// content, finish reason and token counts.
    static func openAICompletion(id: String, created: Int, model: String, message value: AssistantMessage, finish: String,
                                 promptTokens: Int, completionTokens: Int, logprobs: [JSONValue]? = nil,
                                 tail: inout ReplyTail<OpenAICompletionTail>) -> [UInt8] {
        var w = JSONBytes(capacity: 384)
        w.raw(idOpen); w.string(id)
        w.raw(completionObject); w.int(created)
        w.raw(modelKey); w.string(model)
        func end(_ w: inout JSONBytes) {
            w.raw(fingerprintChoices)
            w.raw(messageKey); write(value, to: &w)
            w.raw(finishKey); w.string(finish)
            if let logprobs, !logprobs.isEmpty { w.raw(choiceLogprobsKey); w.value(.array(logprobs)); w.raw(closeBrace) }
            w.raw(usageKey)
            w.raw(promptTokensKey); w.int(promptTokens)
            w.raw(completionTokensKey); w.int(completionTokens)
            w.raw(totalTokensKey); w.int(promptTokens + completionTokens)
            w.raw(closeBrace)
            w.raw(closeBrace)
        }
        if case .content(let text) = value, logprobs?.isEmpty ?? true {
            let key = OpenAICompletionTail(content: text, finish: finish, promptTokens: promptTokens, completionTokens: completionTokens)
            tail.write(key, to: &w, make: end)
        } else {
            end(&w)
        }
        return w.bytes
    }

    /// What an OpenAI chat answer's end is made from, for a plain answer.
    struct OpenAICompletionTail: Equatable {
        let content: String
        let finish: String
        let promptTokens: Int
        let completionTokens: Int
    }

    /// A `chat.completion.chunk` event whose delta carries content only (the first one
    /// names the role too).
    static func openAIContentChunk(id: String, created: Int, model: String, content: String, first: Bool) -> [UInt8] {
        var w = JSONBytes(capacity: 150 + id.utf8.count + model.utf8.count + content.utf8.count * 2, prefix: dataPrefix)
        w.raw(idOpen); w.string(id)
        w.raw(chunkObject); w.int(created)
        w.raw(modelKey); w.string(model)
        w.raw(fingerprintChoices)
        w.raw(first ? roleContentDelta : contentDelta); w.string(content)
        w.raw(chunkEnd)
        return w.bytes
    }
}

extension Metrics {
    /// `,"total_duration":…` and the rest, in `fields`' order (the tests hold the two together).
    func write(to w: inout JSONBytes) {
        w.raw(#","total_duration":"#); w.int(totalDuration)
        w.raw(#","load_duration":"#); w.int(loadDuration)
        w.raw(#","prompt_eval_count":"#); w.int(promptEvalCount)
        w.raw(#","prompt_eval_duration":"#); w.int(promptEvalDuration)
        w.raw(#","eval_count":"#); w.int(evalCount)
        w.raw(#","eval_duration":"#); w.int(evalDuration)
    }
}
