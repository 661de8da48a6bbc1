import Testing
import LabCore
@testable import MockOllama

@Suite struct GeneralRoutesTests {
    let mock = makeMock()

    @Test func rootSaysOllamaIsRunning() {
        let r = mock.call("GET", "/")
        #expect(r.status == 200 && r.text == "Ollama is running")
        #expect(r.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(mock.call("HEAD", "/").status == 200)
    }

    @Test func version() {
        let r = mock.call("GET", "/api/version")
        #expect(r.json["version"] == "0.31.0")
        #expect(r.headers["Content-Type"] == "application/json; charset=utf-8")
    }

    @Test func unknownPathAndWrongMethod() {
        let notFound = mock.call("GET", "/api/nope")
        #expect(notFound.status == 404 && notFound.text == "404 page not found")
        #expect(notFound.headers["Content-Type"] == "text/plain")
        let wrong = mock.call("GET", "/api/chat")
        #expect(wrong.status == 405 && wrong.text == "405 method not allowed")
        #expect(mock.call("POST", "/api/delete", #"{"model":"llama3"}"#).status == 405)
    }

    @Test(arguments: ["/api/chat", "/api/generate", "/api/show", "/api/embed", "/api/embeddings", "/api/pull", "/api/copy"])
    func nativeBodyErrors(path: String) {
        let missing = mock.call("POST", path)
        #expect(missing.status == 400 && missing.json == ["error": "missing request body"])
        let bad = mock.call("POST", path, "{bad")
        #expect(bad.status == 400)
        #expect(bad.json["error"] == "invalid character 'b' looking for beginning of object key string")
        let array = mock.call("POST", path, "[]")
        #expect(array.status == 400)
        #expect(array.json["error"]?.stringValue?.hasPrefix("json: cannot unmarshal array into Go value of type api.") == true)
    }

    @Test(arguments: ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"])
    func openAIBodyErrors(path: String) {
        let bad = mock.call("POST", path, "x")
        #expect(bad.status == 400)
        #expect(bad.json["error"]?["type"] == "invalid_request_error")
        #expect(bad.json["error"]?["message"] == "invalid character 'x' looking for beginning of value")
        #expect(bad.json["error"]?["param"] == .null)
        #expect(bad.headers["Content-Type"] == "application/json")
    }

    @Test func modelsAreMatchedCaseInsensitivelyWithDefaultTag() {
        for name in ["llama3", "LLAMA3", "llama3:latest", "library/llama3:Latest", "registry.ollama.ai/library/llama3"] {
            #expect(mock.call("POST", "/api/show", #"{"model":"\#(name)"}"#).status == 200, "\(name)")
        }
        #expect(mock.call("POST", "/api/show", #"{"model":"llama3:8b"}"#).status == 404)
    }
}

@Suite struct ModelNameTests {
    @Test func parsesAndDisplays() {
        #expect(ModelName("llama3")?.description == "llama3:latest")
        #expect(ModelName("qwen2.5:0.5b")?.description == "qwen2.5:0.5b")
        #expect(ModelName("me/tiny:v1")?.description == "me/tiny:v1")
        #expect(ModelName("example.com/me/tiny")?.description == "example.com/me/tiny:latest")
        #expect(ModelName("Llama3") == ModelName("llama3:LATEST"))
    }

    @Test(arguments: ["", " ", "a/b/c/d", "bad name", ":tag", "-x", "x:" , String(repeating: "a", count: 81)])
    func rejectsInvalid(name: String) {
        #expect(ModelName(name) == nil)
    }
}
