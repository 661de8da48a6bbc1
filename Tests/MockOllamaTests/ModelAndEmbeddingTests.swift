import Testing
import Foundation
import LabCore
@testable import MockOllama

@Suite struct ModelRouteTests {
    let mock = makeMock()

    @Test func tagsListEveryModel() {
        let models = mock.call("GET", "/api/tags").json["models"]?.arrayValue ?? []
        #expect(models.count == 2)
        for m in models {
            #expect(m["name"] == m["model"])
            #expect(m["digest"]?.stringValue?.count == 64)
            #expect(m["details"]?["parameter_size"]?.stringValue != nil)
            #expect(m["modified_at"]?.stringValue?.hasSuffix("+00:00") == true)
        }
    }

    @Test func showAcceptsModelAndLegacyName() {
        let byModel = mock.call("POST", "/api/show", #"{"model":"llama3"}"#)
        let byName = mock.call("POST", "/api/show", #"{"name":"llama3"}"#)
        #expect(byModel.json == byName.json)
        #expect(byModel.json["model_info"]?["llama.context_length"] == 8192)
        #expect(byModel.json["capabilities"] == ["completion"])  // llama3 has no tool template in Ollama's library
        let missing = mock.call("POST", "/api/show", #"{"model":"ghost"}"#)
        #expect(missing.status == 404 && missing.json["error"] == "model 'ghost:latest' not found")
    }

    @Test func pullStreamsProgressAndAddsTheModel() {
        let r = mock.call("POST", "/api/pull", #"{"model":"qwen2.5:0.5b"}"#)
        let statuses = r.lines.compactMap { $0["status"]?.stringValue }
        #expect(statuses.first == "pulling manifest" && statuses.last == "success")
        #expect(statuses.contains("verifying sha256 digest"))
        #expect(r.lines.contains { $0["completed"] != nil && $0["completed"] == $0["total"] })
        #expect(mock.call("POST", "/api/show", #"{"model":"qwen2.5:0.5b"}"#).json["details"]?["parameter_size"] == "500M")
        #expect(mock.call("POST", "/api/pull", #"{"model":"x","stream":false}"#).json == ["status": "success"])
    }

    @Test func copyAndDelete() {
        let copied = mock.call("POST", "/api/copy", #"{"source":"llama3","destination":"mine"}"#)
        #expect(copied.status == 200 && copied.body.isEmpty)
        #expect(mock.call("POST", "/api/copy", #"{"source":"ghost","destination":"x"}"#).status == 404)
        let deleted = mock.call("DELETE", "/api/delete", #"{"model":"mine"}"#)
        #expect(deleted.status == 200 && deleted.body.isEmpty)
        #expect(mock.call("DELETE", "/api/delete", #"{"model":"mine"}"#).status == 404)
    }

    /// The same name asked again and again (the catalogue remembers the last one) follows
    /// a pull and a delete at once.
    @Test func aModelAskedAgainFollowsPullAndDelete() {
        let chat = #"{"model":"phi3:mini","stream":false,"messages":[{"role":"user","content":"hi"}]}"#
        #expect(mock.call("POST", "/api/chat", chat).status == 404)
        #expect(mock.call("POST", "/api/pull", #"{"model":"phi3:mini","stream":false}"#).status == 200)
        #expect(mock.call("POST", "/api/chat", chat).status == 200)
        #expect(mock.call("DELETE", "/api/delete", #"{"model":"phi3:mini"}"#).status == 200)
        #expect(mock.call("POST", "/api/chat", chat).status == 404)
    }

    @Test func psListsModelsThatAnswered() {
        #expect(mock.call("GET", "/api/ps").json["models"] == [])
        _ = mock.call("POST", "/api/generate", #"{"model":"llama3","prompt":"x","stream":false}"#)
        let running = mock.call("GET", "/api/ps").json["models"]?.arrayValue ?? []
        #expect(running.count == 1 && running.first?["name"] == "llama3:latest")
    }

    @Test func openAIModels() {
        let list = mock.call("GET", "/v1/models")
        #expect(list.json["object"] == "list" && list.json["data"]?.arrayValue?.count == 2)
        #expect(list.json["data"]?[0]?["owned_by"] == "library")
        let one = mock.call("GET", "/v1/models/llama3")
        #expect(one.json["id"] == "llama3" && one.json["object"] == "model")
        let missing = mock.call("GET", "/v1/models/ghost")
        #expect(missing.status == 404 && missing.json["error"]?["type"] == "not_found_error")
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? { arrayValue.flatMap { index < $0.count ? $0[index] : nil } }
}

@Suite struct EmbeddingTests {
    let mock = makeMock()

    func norm(_ v: JSONValue?) -> Double {
        (v?.arrayValue ?? []).reduce(0) { $0 + ($1.doubleValue ?? 0) * ($1.doubleValue ?? 0) }.squareRoot()
    }

    @Test func embedIsNormalisedAndTakesStringOrList() {
        let one = mock.call("POST", "/api/embed", #"{"model":"nomic-embed-text","input":"hello"}"#).json
        #expect(one["embeddings"]?.arrayValue?.count == 1)
        #expect(abs(norm(one["embeddings"]?[0]) - 1) < 1e-5)
        #expect(one["embeddings"]?[0]?.arrayValue?.count == 768)
        let two = mock.call("POST", "/api/embed", #"{"model":"nomic-embed-text","input":["hello","world"]}"#).json
        #expect(two["embeddings"]?[0] == one["embeddings"]?[0])
        #expect(two["embeddings"]?[1] != one["embeddings"]?[0])
        #expect(mock.call("POST", "/api/embed", #"{"model":"nomic-embed-text","input":[]}"#).json["embeddings"] == [])
        #expect(mock.call("POST", "/api/embed", #"{"model":"nomic-embed-text","input":[1]}"#).status == 400)
    }

    @Test func aBatchPastWhatAnAnswerCanHoldIsRefusedBeforeAnythingIsMade() {
        // Two million one-letter inputs fit in an 8 MiB body; making their vectors held the
        // loop for half an hour and the answer could not fit in memory.
        let inputs = "[" + Array(repeating: #""x""#, count: 43_691).joined(separator: ",") + "]"
        let native = mock.call("POST", "/api/embed", #"{"model":"nomic-embed-text","input":\#(inputs)}"#)
        #expect(native.status == 400)
        #expect(native.json["error"]?.stringValue?.hasPrefix("the lab's mock embeds at most 33554432 values per request") == true)
        #expect(native.json["error"]?.stringValue?.contains("this one asks for 43691 inputs of 768") == true)
        let v1 = mock.call("POST", "/v1/embeddings", #"{"model":"nomic-embed-text","input":\#(inputs)}"#)
        #expect(v1.status == 400 && v1.json["error"]?["message"]?.stringValue?.contains("send them in batches") == true)
        // Fewer dimensions, more inputs: the count is of values.
        #expect(mock.call("POST", "/api/embed", #"{"model":"nomic-embed-text","dimensions":2,"input":\#(inputs)}"#).status == 200)
    }

    /// Ollama's order and answers for inputs it cannot embed, natively and through `/v1`.
    @Test func inputsAreRefusedInOllamasOrder() {
        func native(_ body: String) -> (Int, JSONValue) { let r = mock.call("POST", "/api/embed", body); return (r.status, r.json) }
        func v1(_ body: String) -> (Int, String?) {
            let r = mock.call("POST", "/v1/embeddings", body)
            return (r.status, r.json["error"]?["message"]?.stringValue)
        }
        // The input's type before the model: a missing model with a bad input is a 400.
        #expect(native(#"{"model":"ghost","input":5}"#) == (400, ["error": "invalid input type"]))
        #expect(native(#"{"model":"ghost","input":"a"}"#) == (404, ["error": "model 'ghost' not found"]))
        #expect(native(#"{"input":"a"}"#) == (404, ["error": "model '' not found"]))
        // Nothing to embed: the model and no vectors, nothing measured.
        #expect(native(#"{"model":"nomic-embed-text","input":""}"#) == (200, ["model": "nomic-embed-text", "embeddings": []]))
        #expect(native(#"{"model":"nomic-embed-text"}"#) == (200, ["model": "nomic-embed-text", "embeddings": []]))
        let wrongFormat = "Invalid value for 'encoding_format' = int8. Supported values: ['float', 'base64']."
        #expect(v1(#"{"model":"nomic-embed-text","encoding_format":"int8"}"#) == (400, wrongFormat))
        #expect(v1(#"{"model":"nomic-embed-text"}"#) == (400, "invalid input"))
        #expect(v1(#"{"model":"nomic-embed-text","input":[]}"#) == (400, "invalid input"))
        #expect(v1(#"{"model":"nomic-embed-text","input":5}"#) == (400, "invalid input type"))
        #expect(v1(#"{"model":"nomic-embed-text","input":["a",1]}"#) == (400, "invalid input type"))
        #expect(v1(#"{"model":"nomic-embed-text","input":""}"#).0 == 200)
    }

    @Test func aCompletionsStopListTakesOnlyStrings() {
        let r = mock.call("POST", "/v1/completions", #"{"model":"llama3","prompt":"hi","stop":["a",1]}"#)
        #expect(r.status == 400 && r.json["error"]?["message"] == "invalid type for 'stop' field: float64")
        #expect(mock.call("POST", "/v1/completions", #"{"model":"llama3","prompt":"hi","stop":["a"]}"#).status == 200)
        // Chat skips what is not a string.
        #expect(mock.call("POST", "/v1/chat/completions", #"{"model":"llama3","stop":["a",1],"messages":[{"role":"user","content":"hi"}]}"#).status == 200)
    }

    @Test func legacyEmbeddingsAreNotNormalised() {
        let r = mock.call("POST", "/api/embeddings", #"{"model":"nomic-embed-text","prompt":"hello"}"#).json
        #expect(r.objectValue?.map(\.0) == ["embedding"])
        #expect(abs(norm(r["embedding"]) - 1) > 0.1)
    }

    @Test func openAIFloatAndBase64AgreeAndOtherFormatsAreRefused() {
        let floats = mock.call("POST", "/v1/embeddings", #"{"model":"nomic-embed-text","input":["a","b"]}"#).json
        let b64 = mock.call("POST", "/v1/embeddings", #"{"model":"nomic-embed-text","input":["a","b"],"encoding_format":"base64"}"#).json
        #expect(floats["data"]?.arrayValue?.count == 2 && floats["data"]?[1]?["index"] == 1)
        let data = Data(base64Encoded: b64["data"]?[0]?["embedding"]?.stringValue ?? "")!
        let decoded = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let expected = floats["data"]?[0]?["embedding"]?.arrayValue?.compactMap { $0.doubleValue.map(Float.init) } ?? []
        #expect(decoded == expected)
        let bad = mock.call("POST", "/v1/embeddings", #"{"model":"nomic-embed-text","input":"a","encoding_format":"int8"}"#)
        #expect(bad.status == 400 && bad.json["error"]?["type"] == "invalid_request_error")
    }

    /// Embeddings are answered at once (after any load), and their total_duration says no more.
    @Test func embedDurationsAreWhatTheAnswerTook() throws {
        var options = MockOptions(models: [ModelName("nomic-embed-text")!])
        options.pacing = Pacing(timeToFirstTokenMs: 1000, tokensPerSecond: 10)
        let paced = try MockOllama(options: options, clock: { fixedTime })
        let r = paced.call("POST", "/api/embed", #"{"model":"nomic-embed-text","input":["one two three"]}"#)
        #expect(r.script.totalWaitMs == 0)
        let total = try #require(r.json["total_duration"]?.intValue), load = try #require(r.json["load_duration"]?.intValue)
        #expect(total - load < 1_000_000, "\(total - load) ns beyond the load, for an answer sent at once")
    }
}

/// A model's context window: Ollama keeps what fits unless told not to.
@Suite struct ContextLengthTests {
    static func mock(overflow: ContextOverflow) -> MockOllama {
        var options = MockOptions(models: [ModelName("llama3")!, ModelName("nomic-embed-text")!])
        options.contextLengths = ["llama3:latest": 8, "nomic-embed-text:latest": 4]
        options.contextOverflow = overflow
        return makeMock(options)
    }

    static let long = #"{"model":"llama3","stream":false,"messages":[{"role":"user","content":"one two three four five six seven eight nine ten"}]"#

    @Test func aLongPromptIsCutToTheWindowByDefault() throws {
        let m = Self.mock(overflow: .truncate)
        let r = m.call("POST", "/api/chat", Self.long + "}")
        #expect(r.status == 200)
        #expect(r.json["prompt_eval_count"]?.intValue == 8)
        let show = m.call("POST", "/api/show", #"{"model":"llama3"}"#).json
        #expect(show["model_info"]?["llama.context_length"]?.intValue == 8)
    }

    @Test func truncateFalseOrAnErrorProviderGetsOllamasFourHundred() throws {
        let refused = Self.mock(overflow: .truncate).call("POST", "/api/chat", Self.long + #","truncate":false}"#)
        #expect(refused.status == 400 && refused.text == #"{"error":"the input length exceeds the context length"}"#)
        let strict = Self.mock(overflow: .error)
        let v1 = strict.call("POST", "/v1/chat/completions", #"{"model":"llama3","messages":[{"role":"user","content":"one two three four five six seven eight nine ten"}]}"#)
        #expect(v1.status == 400)
        #expect(v1.json["error"]?["message"]?.stringValue == "the input length exceeds the context length")
        #expect(strict.call("POST", "/api/embed", #"{"model":"nomic-embed-text","input":["short","one two three four five six"]}"#).status == 400)
        #expect(strict.call("POST", "/api/embed", #"{"model":"nomic-embed-text","input":["short"]}"#).status == 200)
        // options.num_ctx widens the window, as it does on Ollama.
        #expect(strict.call("POST", "/api/chat", Self.long + #","options":{"num_ctx":4096}}"#).status == 200)
    }
}
