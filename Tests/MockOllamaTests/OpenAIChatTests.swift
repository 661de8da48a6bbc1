import Testing
import LabCore
@testable import MockOllama

@Suite struct OpenAIChatTests {
    let mock = makeMock()
    let ask = #"{"model":"llama3","messages":[{"role":"user","content":[{"type":"text","text":"What is REST?"}]}]"#

    @Test func nonStreamingIsTheDefault() {
        let r = mock.call("POST", "/v1/chat/completions", ask + "}")
        #expect(r.headers["Content-Type"] == "application/json")
        let j = r.json
        #expect(j["object"] == "chat.completion" && j["system_fingerprint"] == "fp_ollama" && j["model"] == "llama3")
        #expect(j["id"]?.stringValue?.hasPrefix("chatcmpl-") == true)
        #expect(j["choices"]?[0]?["message"]?["role"] == "assistant")
        #expect(j["choices"]?[0]?["finish_reason"] == "stop")
        let usage = j["usage"]!
        #expect(usage["total_tokens"]?.intValue == (usage["prompt_tokens"]?.intValue ?? 0) + (usage["completion_tokens"]?.intValue ?? 0))
    }

    /// Answers are numbered in turn, the numbers going round after 998 (the ids are made
    /// once, not per answer).
    @Test func completionIDsCountUpAndGoRound() {
        let ids = (0..<1001).map { _ in mock.nextChatCompletionID() }
        #expect(ids[0] == "chatcmpl-0" && ids[7] == "chatcmpl-7" && ids[998] == "chatcmpl-998")
        #expect(ids[999] == "chatcmpl-0" && ids[1000] == "chatcmpl-1")
    }

    @Test func sseStreamInTheReferenceOrder() {
        let r = mock.call("POST", "/v1/chat/completions", ask + #","stream":true,"stream_options":{"include_usage":true},"max_tokens":4}"#)
        #expect(r.headers["Content-Type"] == "text/event-stream")
        let events = r.events
        #expect(events.last == "[DONE]")
        let chunks = events.dropLast().map { (try? JSONParser.parse($0)) ?? .null }
        #expect(chunks.count == 4 + 2)
        #expect(chunks[0]["choices"]?[0]?["delta"]?["role"] == "assistant")
        #expect(chunks[1]["choices"]?[0]?["delta"]?["role"] == nil)
        #expect(chunks[1]["usage"] == nil)
        let finish = chunks[4]
        #expect(finish["choices"]?[0]?["delta"] == [:] && finish["choices"]?[0]?["finish_reason"] == "length")
        #expect(chunks[5]["choices"] == [] && chunks[5]["usage"]?["completion_tokens"] == 4)
        #expect(Set(chunks.compactMap { $0["id"]?.stringValue }).count == 1)
        #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" })
    }

    /// Ollama stamps `created` when it writes: a whole answer with its last piece's time, each
    /// chunk with its own (whole seconds).
    @Test func createdIsWhenItIsWritten() {
        var options = MockOptions(models: [ModelName("llama3")!])
        options.pacing = Pacing(timeToFirstTokenMs: 1500, tokensPerSecond: 1)
        let paced = makeMock(options)
        let whole = paced.call("POST", "/v1/chat/completions", ask + #","max_tokens":3}"#).json
        // The last of three tokens: 1.5 s, then one a second → 3.5 s after fixedTime (…40.123).
        #expect(whole["created"]?.intValue == fixedTime.seconds + 3)
        let chunks = paced.call("POST", "/v1/chat/completions", ask + #","stream":true,"max_tokens":3}"#).events.dropLast()
            .map { (try? JSONParser.parse($0)) ?? .null }
        #expect(chunks.compactMap { $0["created"]?.intValue } == [1, 2, 3, 3].map { fixedTime.seconds + $0 })
        let completion = paced.call("POST", "/v1/completions", #"{"model":"llama3","prompt":"hi","max_tokens":3}"#).json
        #expect(completion["created"]?.intValue == fixedTime.seconds + 3)
    }

    @Test func withoutIncludeUsageThereIsNoUsageChunk() {
        let events = mock.call("POST", "/v1/chat/completions", ask + #","stream":true}"#).events
        #expect(!events.contains { $0.contains("\"usage\"") })
    }

    @Test func errors() {
        let empty = mock.call("POST", "/v1/chat/completions", #"{"model":"llama3","messages":[]}"#)
        #expect(empty.status == 400 && empty.json["error"]?["message"] == "[] is too short - 'messages'")
        let unknown = mock.call("POST", "/v1/chat/completions", #"{"model":"ghost","messages":[{"role":"user","content":"x"}]}"#)
        #expect(unknown.status == 404 && unknown.json["error"]?["type"] == "not_found_error")
        #expect(unknown.json["error"]?["message"] == "model 'ghost' not found")
    }

    @Test func completions() {
        let r = mock.call("POST", "/v1/completions", #"{"model":"llama3","prompt":"Say hi"}"#).json
        #expect(r["object"] == "text_completion" && r["id"]?.stringValue?.hasPrefix("cmpl-") == true)
        #expect(r["choices"]?[0]?["text"]?.stringValue?.isEmpty == false)
        let stream = mock.call("POST", "/v1/completions", #"{"model":"llama3","prompt":"Say hi","stream":true}"#).events
        #expect(stream.last == "[DONE]")
        let last = try? JSONParser.parse(stream[stream.count - 2])
        #expect(last?["choices"]?[0]?["text"] == "" && last?["choices"]?[0]?["finish_reason"] == "stop")
        #expect(mock.call("POST", "/v1/completions", #"{"model":"llama3","prompt":["a"]}"#).status == 400)
    }
}
