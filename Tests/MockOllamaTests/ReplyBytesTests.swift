import LabCore
@testable import MockOllama
import Testing

/// Replies written straight into bytes are byte for byte what their JSON trees give.
@Suite struct ReplyBytesTests {
    static let texts = ["", "Paris.", "a \"quoted\" \\ path\n\ttab", "<b>&</b>", "line\u{2028}sep\u{2029}", "\u{1}\u{1f}", "日本語 🎉",
                        "llama3:latest", String(repeating: "long ", count: 40)]

    /// The final answers written with nothing kept from an earlier one.
    func freshNativeFinal(model: String, createdAt: WallTime, message: ReplyBytes.AssistantMessage, doneReason: String,
                          metrics: Metrics, logprobs: [JSONValue]? = nil) -> [UInt8] {
        var tail = ReplyTail<ReplyBytes.NativeFinalTail>(), second = LastSecond()
        return ReplyBytes.nativeFinal(model: model, createdAt: createdAt, message: message, doneReason: doneReason, metrics: metrics,
                                      logprobs: logprobs, tail: &tail, second: &second)
    }

    func freshOpenAICompletion(id: String, created: Int, model: String, message: ReplyBytes.AssistantMessage, finish: String,
                               promptTokens: Int, completionTokens: Int, logprobs: [JSONValue]? = nil) -> [UInt8] {
        var tail = ReplyTail<ReplyBytes.OpenAICompletionTail>()
        return ReplyBytes.openAICompletion(id: id, created: created, model: model, message: message, finish: finish, promptTokens: promptTokens,
                                           completionTokens: completionTokens, logprobs: logprobs, tail: &tail)
    }

    @Test func nativeLinesMatchTheirTrees() {
        let metrics = Metrics(promptTokens: 12, evalTokens: 345, pacing: Pacing())
        for text in Self.texts {
            let time = WallTime(seconds: 1_795_000_000 + text.utf8.count * 86_399, nanos: text.utf8.count * 7_777)
            let stamp = JSONValue.string(WallClock.rfc3339(unixSeconds: time.seconds, nanos: time.nanos))
            let tree: JSONValue = ["model": .string(text), "created_at": stamp,
                                   "message": ["role": "assistant", "content": .string(text)], "done": false]
            #expect(ReplyBytes.nativeContentLine(model: text, createdAt: time, content: text) == tree.compactBytes + [10])
            let message: JSONValue = ["role": "assistant", "content": .string(text)]
            let final = JSONValue.object([("model", .string(text)), ("created_at", stamp), ("message", message),
                                          ("done_reason", .string(text)), ("done", true)] + metrics.fields)
            for written in [ReplyBytes.AssistantMessage.content(text), .tree(message)] {
                #expect(freshNativeFinal(model: text, createdAt: time, message: written, doneReason: text, metrics: metrics) == final.compactBytes)
            }
        }
    }

    @Test func generateLinesMatchTheirTrees() {
        let metrics = Metrics(promptTokens: 3, evalTokens: 41, pacing: Pacing())
        for (n, text) in Self.texts.enumerated() {
            let time = WallTime(seconds: 1_795_000_000 + n * 86_399, nanos: n * 7_777)
            let stamp = JSONValue.string(WallClock.rfc3339(unixSeconds: time.seconds, nanos: time.nanos))
            let line: JSONValue = ["model": .string(text), "created_at": stamp, "response": .string(text), "done": false]
            #expect(ReplyBytes.nativeResponseLine(model: text, createdAt: time, response: text) == line.compactBytes + [10])
            for context in [[], [7], Array(0..<n * 5).map { $0 * 12_347 % 128_000 }] {
                for thinking in [nil, text] {
                    var members: [(String, JSONValue)] = [("model", .string(text)), ("created_at", stamp), ("response", .string(text)),
                                                          ("done", true), ("done_reason", .string(text)),
                                                          ("context", .array(context.map { .int($0) }))] + metrics.fields
                    if let thinking { members.append(("thinking", .string(thinking))) }
                    #expect(ReplyBytes.nativeGenerateFinal(model: text, createdAt: time, response: text, doneReason: text,
                                                           context: context, metrics: metrics, thinking: thinking)
                            == JSONValue.object(members).compactBytes)
                }
            }
        }
    }

    @Test func openAIAnswersAndChunksMatchTheirTrees() {
        for (n, text) in Self.texts.enumerated() {
            let usage: JSONValue = ["prompt_tokens": .int(n), "completion_tokens": 1, "total_tokens": .int(n + 1)]
            let message: JSONValue = ["role": "assistant", "content": .string(text)]
            let answer: JSONValue = ["id": .string("chatcmpl-\(n)"), "object": "chat.completion", "created": .int(1_795_000_000 + n * 977),
                                     "model": .string(text), "system_fingerprint": "fp_ollama",
                                     "choices": [["index": 0, "message": message, "finish_reason": .string(text)]], "usage": usage]
            for written in [ReplyBytes.AssistantMessage.content(text), .tree(message)] {
                #expect(freshOpenAICompletion(id: "chatcmpl-\(n)", created: 1_795_000_000 + n * 977, model: text, message: written,
                                              finish: text, promptTokens: n, completionTokens: 1) == answer.compactBytes)
            }
            for first in [true, false] {
                let delta: JSONValue = first ? ["role": "assistant", "content": .string(text)] : ["content": .string(text)]
                let chunk: JSONValue = ["id": "chatcmpl-9", "object": "chat.completion.chunk", "created": .int(n), "model": .string(text),
                                        "system_fingerprint": "fp_ollama", "choices": [["index": 0, "delta": delta, "finish_reason": nil]]]
                #expect(ReplyBytes.openAIContentChunk(id: "chatcmpl-9", created: n, model: text, content: text, first: first)
                        == Array("data: ".utf8) + chunk.compactBytes + [10, 10])
            }
        }
    }

    /// A reply whose end is copied from the last one's is byte for byte the reply written
    /// whole, whichever of the things its end is made from changed, or none.
    @Test func aKeptEndIsCopiedOnlyForTheSameAnswer() {
        var native = ReplyTail<ReplyBytes.NativeFinalTail>()
        var second = LastSecond()
        var openAI = ReplyTail<ReplyBytes.OpenAICompletionTail>()
        let texts = ["Paris.", "Paris!", String(repeating: "long ", count: 40)]
        var random = SeededRandom(seed: 7)
        for n in 0..<400 {
            // Mostly the same answer again, sometimes one thing about it changed.
            func pick(_ count: Int) -> Int { random.next() % 4 == 0 ? Int(random.next() % UInt64(count)) : 0 }
            let text = texts[pick(texts.count)], reason = ["stop", "length"][pick(2)]
            let (prompt, eval) = (12 + pick(2), 3 + pick(2))
            var metrics = Metrics(promptTokens: prompt, evalTokens: eval, pacing: Pacing(), loadMs: pick(2))
            metrics.slotWaitDuration = pick(2)
            let time = WallTime(seconds: 1_795_000_000 + n, nanos: n * 7_777)
            let message: ReplyBytes.AssistantMessage = pick(8) == 1 ? .tree(["role": "assistant", "content": .string(text)]) : .content(text)
            let logprobs: [JSONValue]? = pick(8) == 1 ? [["token": "x"]] : nil
            let model = ["llama3", "qwen3"][pick(2)]
            #expect(ReplyBytes.nativeFinal(model: model, createdAt: time, message: message, doneReason: reason, metrics: metrics,
                                           logprobs: logprobs, tail: &native, second: &second)
                    == freshNativeFinal(model: model, createdAt: time, message: message, doneReason: reason, metrics: metrics, logprobs: logprobs))
            #expect(ReplyBytes.openAICompletion(id: "chatcmpl-\(n)", created: time.seconds, model: model, message: message, finish: reason,
                                                promptTokens: prompt, completionTokens: eval, logprobs: logprobs, tail: &openAI)
                    == freshOpenAICompletion(id: "chatcmpl-\(n)", created: time.seconds, model: model, message: message, finish: reason,
                                             promptTokens: prompt, completionTokens: eval, logprobs: logprobs))
        }
    }

    /// An answer whose head fields are the last one's is the answer made afresh: the fields
    /// are shared only for the same surface and length.
    @Test func keptJSONHeadFieldsAreSharedOnlyForTheSameSurfaceAndLength() {
        var kept = KeptJSONHead()
        var random = SeededRandom(seed: 3)
        for _ in 0..<200 {
            let surface: ErrorSurface = random.next() % 4 == 0 ? .ollamaOpenAI : .native
            let bytes = Array(repeating: UInt8(ascii: "x"), count: 10 + Int(random.next() % 3) * 95)
            #expect(kept.answer(surface, bytes: bytes) == Responses.json(surface, bytes: bytes))
        }
    }

    @Test func integersAreWrittenAsJSONWritesThem() {
        for i in [0, 1, 9, 10, 99, 100, 12_345, 1_000_000_007, Int.max, -1, -42, Int.min] {
            var w = JSONBytes()
            w.int(i)
            #expect(w.bytes == Array(String(i).utf8) && JSONValue.int(i).compactBytes == w.bytes, "\(i)")
        }
    }
}
