import Testing
import LabCore
import LabHTTP
@testable import MockOllama

@Suite struct NativeGenerationTests {
    let mock = makeMock()
    let ask = #"{"model":"llama3","messages":[{"role":"user","content":"What is AI? Answer briefly."}]"#

    @Test func chatStreamsByDefaultAsNDJSON() {
        let r = mock.call("POST", "/api/chat", ask + "}")
        #expect(r.status == 200)
        #expect(r.headers["Content-Type"] == "application/x-ndjson")
        #expect(r.headers["Content-Length"] == nil)
        let lines = r.lines
        #expect(lines.count >= 2)
        #expect(!r.text.contains("\n\n"))  // no blank line: ollama-python parses every line
        for line in lines.dropLast() {
            #expect(line["done"] == false && line["message"]?["role"] == "assistant" && line["model"] == "llama3")
            #expect(line["total_duration"] == nil)
        }
        let last = lines.last!
        #expect(last["done"] == true && last["done_reason"] == "stop" && last["message"]?["content"] == "")
        #expect(last["eval_count"]?.intValue == lines.count - 1)
        for key in ["total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_duration"] {
            #expect(last[key]?.intValue != nil, "\(key)")
        }
        // One line per chunk, so a stream reader sees tokens as they come.
        #expect(r.chunks.count == lines.count)
    }

    @Test func nonStreamingChatIsOneObjectWithTheSameText() {
        let streamed = mock.call("POST", "/api/chat", ask + "}").lines.dropLast().compactMap { $0["message"]?["content"]?.stringValue }.joined()
        let single = mock.call("POST", "/api/chat", ask + #","stream":false}"#)
        #expect(single.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(single.json["message"]?["content"]?.stringValue == streamed)
        #expect(single.json["done"] == true)
        #expect(single.json["created_at"] == "2026-11-18T11:06:40.123456789Z")
    }

    @Test func textIsAPureFunctionOfModelPromptAndSeed() {
        func text(_ mock: MockOllama, _ prompt: String) -> String {
            mock.call("POST", "/api/generate", #"{"model":"llama3","prompt":"\#(prompt)","stream":false}"#).json["response"]?.stringValue ?? ""
        }
        #expect(text(mock, "one") == text(makeMock(), "one"))
        #expect(text(mock, "one") != text(mock, "two"))
        let seeded = makeMock(MockOptions(seed: 99))
        #expect(text(mock, "one") != text(seeded, "one"))
    }

    @Test func cannedAnswers() throws {
        let m = try MockOllama(options: MockOptions(cannedAnswers: [CannedAnswer(pattern: "capital of france", answer: "Paris.")]))
        let r = m.call("POST", "/api/chat", #"{"model":"llama3","stream":false,"messages":[{"role":"user","content":"What is the capital of France?"}]}"#)
        #expect(r.json["message"]?["content"] == "Paris.")
        #expect(r.json["eval_count"] == 1)
    }

    @Test func numPredictCutsWithLength() {
        let r = mock.call("POST", "/api/generate", #"{"model":"llama3","prompt":"hi","stream":false,"options":{"num_predict":3}}"#)
        #expect(r.json["done_reason"] == "length")
        #expect(r.json["eval_count"] == 3)
        #expect(Tokenizer.count(r.json["response"]?.stringValue ?? "") == 3)
        #expect(r.json["context"]?.arrayValue?.isEmpty == false)
    }

    @Test func aReplysTextIsItsTokensJoinedWhateverCutsIt() throws {
        let generator = try ReplyGenerator(seed: 9, cannedAnswers: [CannedAnswer(pattern: "capital", answer: "Paris is the capital.")])
        let model = try #require(ModelName("llama3"))
        for (i, prompt) in ["What is the capital?", "Tell me something.", "Another one, please.", ""].enumerated() {
            for stop in [[], ["the"], ["."], ["zzz"]] {
                let full = generator.reply(model: model, conversation: "user: \(prompt) \(i)", lastUserText: prompt, requestSeed: i, stop: stop)
                #expect(full.text == full.tokens.joined() && full.doneReason == "stop")
                for maxTokens in [0, 3, 1000] {
                    let reply = generator.reply(model: model, conversation: "user: \(prompt) \(i)", lastUserText: prompt,
                                                requestSeed: i, maxTokens: maxTokens, stop: stop)
                    #expect(reply.tokens == Array(full.tokens.prefix(maxTokens)))
                    #expect(reply.text == reply.tokens.joined(), "\(prompt) \(stop) \(maxTokens)")
                    #expect(reply.doneReason == (full.tokens.count > maxTokens ? "length" : "stop"))
                }
            }
        }
    }

    @Test func pacingShapesTheScriptAndTheMetrics() throws {
        let m = try MockOllama(options: MockOptions(pacing: Pacing(timeToFirstTokenMs: 200, tokensPerSecond: 50)))
        let r = m.call("POST", "/api/chat", ask + "}")
        let tokens = r.lines.count - 1
        #expect(r.script.steps.first == .wait(ms: 200))
        #expect(r.script.totalWaitMs == 200 + Int((Double(tokens - 1) * 20).rounded()))
        let last = r.lines.last!
        // The tokens at 50 a second; the prompt the rest of the time to the last token, so
        // that total_duration is what the answer took.
        #expect(last["eval_duration"]?.intValue == tokens * 20_000_000)
        #expect(last["prompt_eval_duration"]?.intValue == (200 + (tokens - 1) * 20) * 1_000_000 - tokens * 20_000_000)
        #expect(last["total_duration"]?.intValue == (last["load_duration"]?.intValue ?? 0) + (200 + (tokens - 1) * 20) * 1_000_000)
        // Headers leave with the first token, not before.
        guard case .head = r.script.steps[1] else { Issue.record("head should follow the first wait"); return }
        let single = m.call("POST", "/api/chat", ask + #","stream":false}"#)
        #expect(single.script.totalWaitMs == 200 + (tokens - 1) * 20)
    }

    @Test func emptyMessagesOrPromptIsALoadResponse() {
        let chat = mock.call("POST", "/api/chat", #"{"model":"llama3","messages":[]}"#)
        #expect(chat.json["done_reason"] == "load" && chat.json["done"] == true)
        let gen = mock.call("POST", "/api/generate", #"{"model":"llama3","keep_alive":0}"#)
        #expect(gen.json["done_reason"] == "unload")
    }

    @Test func modelErrors() {
        let unknown = mock.call("POST", "/api/chat", #"{"model":"foo","messages":[{"role":"user","content":"x"}]}"#)
        #expect(unknown.status == 404 && unknown.json == ["error": "model 'foo' not found"])
        let required = mock.call("POST", "/api/chat", #"{"messages":[]}"#)
        #expect(required.status == 400 && required.json == ["error": "model is required"])
        #expect(mock.call("POST", "/api/generate", #"{"prompt":"x"}"#).status == 404)
        let embedOnly = mock.call("POST", "/api/chat", #"{"model":"nomic-embed-text","messages":[{"role":"user","content":"x"}]}"#)
        #expect(embedOnly.status == 400 && embedOnly.json["error"] == "\"nomic-embed-text\" does not support chat")
    }
}

/// What Ollama's chat and generate handlers check before the model runs, in their order.
@Suite struct NativeRequestChecksTests {
    let mock = makeMock(MockOptions(models: [ModelName("llama3")!, ModelName("nomic-embed-text")!, ModelName("codellama")!]))

    func error(_ path: String, _ body: String) -> (Int, String?) {
        let r = mock.call("POST", path, body)
        return (r.status, r.json["error"]?.stringValue)
    }

    /// An option of the wrong type fails when Ollama loads the model: a 500, which a gateway
    /// retries and falls back on, hiding a client's mistake behind the backup.
    @Test func optionsOfTheWrongTypeAreOllamas500() {
        let ask = #""messages":[{"role":"user","content":"hi"}]"#
        #expect(error("/api/chat", #"{"model":"llama3",\#(ask),"options":{"temperature":"hot"}}"#) == (500, #"option "temperature" must be of type float32"#))
        #expect(error("/api/chat", #"{"model":"llama3",\#(ask),"options":{"num_ctx":"4096"}}"#) == (500, #"option "num_ctx" must be of type integer"#))
        #expect(error("/api/chat", #"{"model":"llama3",\#(ask),"options":{"stop":"\n"}}"#) == (500, #"option "stop" must be of type array"#))
        #expect(error("/api/chat", #"{"model":"llama3",\#(ask),"options":{"stop":["a",1]}}"#) == (500, #"option "stop" must be of an array of strings"#))
        #expect(error("/api/chat", #"{"model":"llama3",\#(ask),"options":{"use_mmap":1}}"#) == (500, #"option "use_mmap" must be of type boolean"#))
        // The first written of two, where Go's map order would pick either.
        #expect(error("/api/generate", #"{"model":"llama3","prompt":"hi","options":{"top_k":"x","top_p":"y"}}"#) == (500, #"option "top_k" must be of type integer"#))
        #expect(error("/api/embed", #"{"model":"nomic-embed-text","input":"a","options":{"seed":true}}"#) == (500, #"option "seed" must be of type integer"#))
        #expect(error("/api/embeddings", #"{"model":"nomic-embed-text","prompt":"a","options":{"seed":true}}"#) == (500, #"option "seed" must be of type integer"#))
        // Also when there is nothing to generate: the model is loaded first.
        #expect(error("/api/chat", #"{"model":"llama3","messages":[],"options":{"seed":"1"}}"#).0 == 500)
        // Unknown options are only logged, null ones skipped, integers may be written as floats.
        let fine = #"{"model":"llama3","stream":false,\#(ask),"options":{"mirostat":"x","seed":null,"num_predict":4.0,"temperature":1}}"#
        #expect(mock.call("POST", "/api/chat", fine).status == 200)
    }

    @Test func checksComeInOllamasOrder() {
        // top_logprobs before the model is even looked up.
        #expect(error("/api/chat", #"{"model":"ghost","top_logprobs":21,"messages":[]}"#) == (400, "top_logprobs must be between 0 and 20"))
        #expect(error("/api/generate", #"{"model":"llama3","top_logprobs":-1,"prompt":"hi"}"#) == (400, "top_logprobs must be between 0 and 20"))
        // An unload asks nothing of the model.
        let unload = mock.call("POST", "/api/chat", #"{"model":"llama3","messages":[],"keep_alive":0,"think":true,"options":{"seed":"x"}}"#)
        #expect(unload.status == 200 && unload.json["done_reason"] == "unload")
        // Thinking is the handler's check, before the scheduler finds the model cannot chat.
        #expect(error("/api/chat", #"{"model":"nomic-embed-text","think":true,"messages":[]}"#) == (400, #""nomic-embed-text" does not support thinking"#))
        #expect(error("/api/chat", #"{"model":"nomic-embed-text","messages":[]}"#) == (400, #""nomic-embed-text" does not support chat"#))
        // Capabilities before options.
        #expect(error("/api/chat", #"{"model":"llama3","think":true,"messages":[],"options":{"seed":"x"}}"#).0 == 400)
    }

    @Test func generateRefusesWhatRawModeAndTheModelCannotDo() {
        let refusal = "raw mode does not support template, system, or context"
        #expect(error("/api/generate", #"{"model":"llama3","prompt":"hi","raw":true,"system":"be brief"}"#) == (400, refusal))
        #expect(error("/api/generate", #"{"model":"llama3","prompt":"hi","raw":true,"template":"{{ .Prompt }}"}"#) == (400, refusal))
        #expect(error("/api/generate", #"{"model":"llama3","prompt":"hi","raw":true,"context":[1,2]}"#) == (400, refusal))
        #expect(mock.call("POST", "/api/generate", #"{"model":"llama3","prompt":"hi","raw":true,"stream":false}"#).status == 200)
        #expect(error("/api/generate", #"{"model":"llama3","prompt":"def f(","suffix":"return x"}"#)
            == (400, "registry.ollama.ai/library/llama3:latest does not support insert"))
        #expect(mock.call("POST", "/api/generate", #"{"model":"codellama","prompt":"def f(","suffix":"return x","stream":false}"#).status == 200)
    }
}

/// A model not in memory loads before its first answer, as Ollama's `load_duration` says.
@Suite struct ModelLoadTests {
    final class Clock { var now = fixedTime }

    func mock(_ clock: Clock, loadMs: Int = 2000) -> MockOllama {
        try! MockOllama(options: MockOptions(models: [ModelName("llama3")!], pacing: Pacing(loadMs: loadMs)), clock: { clock.now })
    }

    func later(_ t: WallTime, ms: Int) -> WallTime { t.adding(milliseconds: ms) }

    let ask = #"{"model":"llama3","stream":false,"messages":[{"role":"user","content":"hi"}]}"#

    @Test func aColdModelLoadsFirstAndStaysLoadedFiveMinutes() {
        let clock = Clock()
        let m = mock(clock)
        let cold = m.call("POST", "/api/chat", ask)
        #expect(cold.script.totalWaitMs == 2000 && cold.json["load_duration"] == 2_000_000_000)
        // Its times start when the model is ready.
        #expect(cold.json["created_at"]?.stringValue == later(fixedTime, ms: 2000).rfc3339)
        clock.now = later(clock.now, ms: 10_000)
        let warm = m.call("POST", "/api/chat", ask)
        #expect(warm.script.totalWaitMs == 0 && warm.json["load_duration"] == 50_000)
        // Five minutes unused, and it loads again.
        clock.now = later(clock.now, ms: 300_001)
        #expect(m.call("POST", "/api/chat", ask).script.totalWaitMs == 2000)
    }

    @Test func aRequestDuringTheLoadWaitsForTheRestOfIt() {
        let clock = Clock()
        let m = mock(clock)
        #expect(m.call("POST", "/api/generate", #"{"model":"llama3","prompt":"hi","stream":false}"#).script.totalWaitMs == 2000)
        clock.now = later(clock.now, ms: 500)
        #expect(m.call("POST", "/api/embed", #"{"model":"llama3","input":"hi"}"#).script.totalWaitMs == 1500)
        // An empty request is Ollama's way to load a model: it waits for the load and
        // leaves the model in memory.
        let freshClock = Clock()
        let fresh = mock(freshClock)
        #expect(fresh.call("POST", "/api/chat", #"{"model":"llama3","messages":[]}"#).script.totalWaitMs == 2000)
        #expect(fresh.call("GET", "/api/ps").json["models"]?.arrayValue?.count == 1)
        freshClock.now = later(freshClock.now, ms: 2000)
        #expect(fresh.call("POST", "/api/chat", ask).script.totalWaitMs == 0)
        // keep_alive 0 answers after loading, then unloads once the answer ends: the next
        // request loads again.
        let onceClock = Clock()
        let once = mock(onceClock)
        let unloadingAsk = #"{"model":"llama3","stream":false,"keep_alive":0,"messages":[{"role":"user","content":"hi"}]}"#
        #expect(once.call("POST", "/api/chat", unloadingAsk).script.totalWaitMs == 2000)
        #expect(once.call("GET", "/api/ps").json["models"]?.arrayValue?.count == 1)
        onceClock.now = later(onceClock.now, ms: 2000)
        #expect(once.call("GET", "/api/ps").json["models"] == [])
        #expect(once.call("POST", "/api/chat", ask).script.totalWaitMs == 2000)
        // A refusal does not wait for a load.
        #expect(m.call("POST", "/api/chat", #"{"model":"llama3","think":true,"messages":[]}"#).script.totalWaitMs == 0)
        // Without a load time nothing waits.
        #expect(mock(Clock(), loadMs: 0).call("POST", "/api/chat", ask).script.totalWaitMs == 0)
    }
}
