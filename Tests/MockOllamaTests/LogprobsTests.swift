import Foundation
import Testing
import LabCore
@testable import MockOllama

/// `logprobs` and `top_logprobs` answered as Ollama answers them: an `api.Logprob` per
/// generated token, natively at the top level and on `/v1` as `choices[0].logprobs.content`.
@Suite struct LogprobsTests {
    let mock = makeMock()
    let ask = #""model":"llama3","messages":[{"role":"user","content":"What is AI? Answer briefly."}]"#

    /// One entry is well formed: its bytes are its token's, and its alternatives are
    /// `top` at most, likeliest first, with probabilities that add up to at most one.
    func checkEntry(_ entry: JSONValue, token: String, top: Int) {
        #expect(entry["token"]?.stringValue == token)
        #expect(entry["bytes"]?.arrayValue?.compactMap(\.intValue) == token.utf8.map { Int($0) })
        let logprob = entry["logprob"]?.doubleValue ?? 0
        #expect(logprob < 0 && logprob >= -2.001, "\(logprob)")
        guard top > 0 else { return #expect(entry["top_logprobs"] == nil) }
        let alternatives = entry["top_logprobs"]?.arrayValue ?? []
        let values = alternatives.compactMap { $0["logprob"]?.doubleValue }
        #expect(alternatives.count == top && values.count == top)
        #expect(values == values.sorted(by: >))
        #expect(values.reduce(0) { $0 + exp($1) } <= 1.000001)
        #expect(Set(alternatives.compactMap { $0["token"]?.stringValue }).count == top)
        // The chosen token is among them with the same log probability.
        #expect(alternatives.contains { $0["token"]?.stringValue == token && $0["logprob"]?.doubleValue == logprob })
    }

    @Test func nativeChatGivesOnePerTokenWhenAsked() {
        let plain = mock.call("POST", "/api/chat", "{" + ask + #","stream":false}"#)
        #expect(plain.json["logprobs"] == nil && !plain.text.contains("logprobs"))
        let r = mock.call("POST", "/api/chat", "{" + ask + #","stream":false,"logprobs":true,"top_logprobs":3}"#)
        let entries = r.json["logprobs"]?.arrayValue ?? []
        #expect(entries.count == r.json["eval_count"]?.intValue)
        #expect(entries.compactMap { $0["token"]?.stringValue }.joined() == r.json["message"]?["content"]?.stringValue)
        for e in entries { checkEntry(e, token: e["token"]?.stringValue ?? "", top: 3) }
        // Between done and the metrics, as Go's struct orders them; the text itself unchanged.
        #expect(r.text.contains(#""done":true,"logprobs":[{"token":"#) && r.text.contains(#"}]}],"total_duration":"#))
        #expect(r.json["message"] == plain.json["message"])
        // The same request, the same numbers.
        #expect(mock.call("POST", "/api/chat", "{" + ask + #","stream":false,"logprobs":true,"top_logprobs":3}"#).text == r.text)
        // top_logprobs alone asks for nothing.
        #expect(mock.call("POST", "/api/chat", "{" + ask + #","stream":false,"top_logprobs":3}"#).json["logprobs"] == nil)
    }

    @Test func nativeStreamsCarryEachTokensOwn() {
        let lines = mock.call("POST", "/api/chat", "{" + ask + #","logprobs":true}"#).lines
        let whole = mock.call("POST", "/api/chat", "{" + ask + #","stream":false,"logprobs":true}"#).json["logprobs"]?.arrayValue ?? []
        let pieces = lines.dropLast()
        #expect(pieces.count == whole.count && !pieces.isEmpty)
        for (line, entry) in zip(pieces, whole) {
            #expect(line["logprobs"]?.arrayValue == [entry])
            checkEntry(entry, token: line["message"]?["content"]?.stringValue ?? "", top: 0)
        }
        // The final line has nothing left to report: the field is left out.
        #expect(lines.last?["done"] == true && lines.last?["logprobs"] == nil)
    }

    @Test func generateGivesThemTooLastInTheFinalObject() {
        let r = mock.call("POST", "/api/generate", #"{"model":"llama3","prompt":"Why is the sky blue?","stream":false,"logprobs":true,"top_logprobs":1}"#)
        let entries = r.json["logprobs"]?.arrayValue ?? []
        #expect(entries.compactMap { $0["token"]?.stringValue }.joined() == r.json["response"]?.stringValue)
        for e in entries { checkEntry(e, token: e["token"]?.stringValue ?? "", top: 1) }
        #expect(r.text.hasSuffix("]}]}") && r.text.contains(#","logprobs":[{"#))
        let lines = mock.call("POST", "/api/generate", #"{"model":"llama3","prompt":"Why is the sky blue?","logprobs":true}"#).lines
        #expect(lines.dropLast().allSatisfy { $0["logprobs"]?.arrayValue?.first?["token"] == $0["response"] })
    }

    @Test func openAIChatPutsThemInTheChoice() {
        let plain = mock.call("POST", "/v1/chat/completions", "{" + ask + "}")
        #expect(plain.json["choices"]?[0]?["logprobs"] == nil)
        let r = mock.call("POST", "/v1/chat/completions", "{" + ask + #","logprobs":true,"top_logprobs":5}"#)
        let choice = r.json["choices"]?[0]
        let content = choice?["logprobs"]?["content"]?.arrayValue ?? []
        #expect(content.count == r.json["usage"]?["completion_tokens"]?.intValue)
        #expect(content.compactMap { $0["token"]?.stringValue }.joined() == choice?["message"]?["content"]?.stringValue)
        for e in content { checkEntry(e, token: e["token"]?.stringValue ?? "", top: 5) }
        // The same tokens, the same numbers as the native surface gives for the same answer.
        let native = mock.call("POST", "/api/chat", "{" + ask + #","stream":false,"logprobs":true,"top_logprobs":5}"#)
        #expect(native.json["logprobs"]?.arrayValue == content)
        // Streamed: each chunk's own; the finishing chunk none.
        let events = mock.call("POST", "/v1/chat/completions", "{" + ask + #","stream":true,"logprobs":true}"#).events.filter { $0 != "[DONE]" }
        let chunks = events.compactMap { try? JSONParser.parse($0) }
        let withText = chunks.filter { $0["choices"]?[0]?["delta"]?["content"]?.stringValue?.isEmpty == false }
        #expect(withText.count == content.count)
        for chunk in withText {
            let own = chunk["choices"]?[0]?["logprobs"]?["content"]?.arrayValue ?? []
            #expect(own.count == 1 && own.first?["token"] == chunk["choices"]?[0]?["delta"]?["content"])
        }
        #expect(chunks.last?["choices"]?[0]?["finish_reason"] == "stop" && chunks.last?["choices"]?[0]?["logprobs"] == nil)
    }

    @Test func outOfRangeIsOllamasRefusalOnBothSurfaces() {
        let native = mock.call("POST", "/api/chat", "{" + ask + #","top_logprobs":21}"#)
        #expect(native.status == 400 && native.json["error"] == "top_logprobs must be between 0 and 20")
        let openAI = mock.call("POST", "/v1/chat/completions", "{" + ask + #","logprobs":true,"top_logprobs":-1}"#)
        #expect(openAI.status == 400 && openAI.json["error"]?["message"] == "top_logprobs must be between 0 and 20")
        // Go's types: a bool and an int.
        let wrong = mock.call("POST", "/v1/chat/completions", "{" + ask + #","logprobs":"yes"}"#)
        #expect(wrong.status == 400 && wrong.json["error"]?["message"]?.stringValue?.contains("ChatCompletionRequest.logprobs of type bool") == true)
    }
}
