import LabCore
import Testing
@testable import MockOllama

/// encoding/json fills a field from a key in any case: a client that writes PascalCase
/// names (.NET's default) is answered by Ollama, and so by the mock.
@Suite struct KeyFoldingTests {
    @Test func pascalCaseBodiesAreReadAsOllamaReadsThem() {
        let m = makeMock(MockOptions(models: [ModelName("llama3")!], cannedAnswers: [CannedAnswer(pattern: "capital of France", answer: "Paris.")]))
        let native = m.call("POST", "/api/chat", #"{"Model":"llama3","Messages":[{"Role":"user","Content":"What is the capital of France?"}],"Stream":false,"KEEP_ALIVE":"1m"}"#)
        #expect(native.status == 200 && native.json["message"]?["content"] == "Paris.")
        #expect(m.call("GET", "/api/ps").json["models"]?[0]?["expires_at"] == .string(fixedTime.adding(milliseconds: 60_000).rfc3339))
        let v1 = m.call("POST", "/v1/chat/completions", #"{"MODEL":"llama3","messages":[{"ROLE":"user","content":"What is the capital of France?"}]}"#)
        #expect(v1.status == 200 && v1.json["choices"]?[0]?["message"]?["content"] == "Paris.")
        #expect(m.call("POST", "/api/embed", #"{"Model":"llama3","Input":"hi"}"#).json["embeddings"]?.arrayValue?.count == 1)
        // Go's fold sets: the long s and the Kelvin sign stand for s and k.
        let folded = m.call("POST", "/api/chat", #"{"model":"llama3","meſſages":[{"role":"user","content":"hi"}],"stream":false,"\#u{212A}eep_alive":0}"#)
        #expect(folded.status == 200 && folded.json["done"] == true)
    }

    @Test func foldedKeysFollowGosOtherRules() {
        let m = makeMock()
        // A mistyped value is named by the field, not by the key as sent.
        #expect(m.call("POST", "/api/chat", #"{"Model":5}"#).json["error"] == "json: cannot unmarshal number into Go struct field ChatRequest.model of type string")
        #expect(m.call("POST", "/api/chat", #"{"model":"llama3","messages":[{"Content":[{"type":"text","text":"hi"}]}]}"#).json["error"]
                == "json: cannot unmarshal array into Go struct field ChatRequest.messages.content of type string")
        // Two keys for one field: the last one wins, whatever its case.
        #expect(m.call("POST", "/api/chat", #"{"model":"ghost","MODEL":"llama3","messages":[],"stream":false}"#).json["done_reason"] == "load")
        // A map's keys are not folded: Ollama's options are looked up as written.
        #expect(m.call("POST", "/api/chat", #"{"model":"llama3","stream":false,"options":{"Temperature":"hot"},"messages":[{"role":"user","content":"hi"}]}"#).status == 200)
        #expect(m.call("POST", "/api/chat", #"{"model":"llama3","stream":false,"options":{"temperature":"hot"},"messages":[{"role":"user","content":"hi"}]}"#).status == 500)
        // Another rune outside ASCII matches no field.
        #expect(m.call("POST", "/api/chat", #"{"modél":"llama3","messages":[]}"#).json["error"] == "model is required")
    }

    @Test func foldingIsGosFoldingAndCostsNothingForLowerCaseBodies() {
        #expect(GoDecoding.folded("keep_Alive") == Array("KEEP_ALIVE".utf8))
        #expect(GoDecoding.folded("ſ\u{212A}") == Array("SK".utf8))
        #expect(GoDecoding.folded("é") == nil)
        let body: JSONValue = ["model": "llama3", "messages": [["role": "user", "content": "hi"]], "unknown_key": 1]
        #expect(GoDecoding.canonicalKeys(body, ChatRequest.goStruct) == body)
        #expect(GoDecoding.canonicalKeys(["Model": "x", "Messages": [["ROLE": "user"]]], ChatRequest.goStruct)
                == ["model": "x", "messages": [["role": "user"]]])
    }
}
