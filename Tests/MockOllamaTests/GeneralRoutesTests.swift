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

    @Test func aTrailingSlashIsRedirectedAsGinDoes() {
        let get = mock.call("GET", "/api/tags/?verbose=1&x=<2>")
        #expect(get.status == 301 && get.headers["Location"] == "/api/tags?verbose=1&x=<2>")
        #expect(get.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(get.text == "<a href=\"/api/tags?verbose=1&amp;x=&lt;2&gt;\">Moved Permanently</a>.\n\n")
        let post = mock.call("POST", "/api/chat/", #"{"model":"llama3"}"#)
        #expect(post.status == 307 && post.headers["Location"] == "/api/chat" && post.body.isEmpty && post.headers["Content-Type"] == nil)
        #expect(mock.call("HEAD", "/api/tags/").status == 307)
        #expect(mock.call("GET", "/v1/models/").headers["Location"] == "/v1/models")
        #expect(mock.call("GET", "/v1/models/llama3/").headers["Location"] == "/v1/models/llama3")
        // Only where the same method has the route without the slash.
        #expect(mock.call("GET", "/api/chat/").status == 404 && mock.call("POST", "/api/tags/").status == 404)
        #expect(mock.call("GET", "/").status == 200)
    }

    @Test func aPathThatIsNotCleanIsRedirectedAsGosServeMuxDoes() {
        let post = mock.call("POST", "//api/chat", #"{"model":"llama3"}"#)
        #expect(post.status == 301 && post.headers["Location"] == "/api/chat" && post.body.isEmpty)
        let get = mock.call("GET", "/api/./tags?x=1")
        #expect(get.status == 301 && get.headers["Location"] == "/api/tags?x=1" && get.text.contains("Moved Permanently"))
        #expect(mock.call("GET", "/v1/../api/tags").headers["Location"] == "/api/tags")
        #expect(mock.call("GET", "/..").headers["Location"] == "/")
        // A trailing slash survives the cleaning; gin's own redirect then takes it off.
        #expect(mock.call("GET", "//api/tags/").headers["Location"] == "/api/tags/")
        #expect(MockOllama.cleanPath("/api/tags") == "/api/tags" && MockOllama.cleanPath("/a//b/../c/") == "/a/c/")
        #expect(mock.call("OPTIONS", "*").status == 200)
    }

    /// The last path that needed no unescaping, cleaning or redirect is kept to skip those
    /// checks next time: every other path still meets them, whatever came before it.
    @Test func pathChecksHoldAfterAPlainPathWasKept() {
        #expect(mock.call("GET", "/api/tags").status == 200)
        // A trailing slash redirects or not by the method: such a path is never kept.
        #expect(mock.call("GET", "/api/chat/").status == 404)
        #expect(mock.call("POST", "/api/chat/", #"{"model":"llama3"}"#).status == 307)
        #expect(mock.call("GET", "/api/chat/").status == 404)
        #expect(mock.call("GET", "/api/%74ags").status == 200 && mock.call("GET", "/api/%74ags").status == 200)
        #expect(mock.call("GET", "/api/%zz").status == 400)
        #expect(mock.call("GET", "//api/tags").status == 301)
        #expect(mock.call("GET", "/api/tags").status == 200 && mock.call("POST", "/api/tags").status == 405)
    }

    @Test func thePathIsRoutedUnescapedAndABadEscapeIsGos400() {
        #expect(mock.call("GET", "/api/%74ags").status == 200 && mock.call("GET", "/api%2Ftags").status == 200)
        #expect(mock.call("GET", "/v1/models/llama3%3Alatest").json["id"] == "llama3:latest")
        let bad = mock.call("GET", "/api/%zz")
        #expect(bad.status == 400 && bad.text == "400 Bad Request" && bad.headers["Connection"] == "close")
        #expect(mock.call("GET", "/api/tags%").status == 400 && mock.call("GET", "/api/%+f").status == 400)
        // Bytes that are not UTF-8 unescape fine and match no route.
        #expect(mock.call("GET", "/api/%ff").status == 404)
        // `/v1/models/:model` is one segment: a namespaced name is no route at all.
        #expect(mock.call("GET", "/v1/models/library/llama3").text == "404 page not found")
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
