import Testing
import LabCore
@testable import MockOllama

/// Tools, structured output, thinking and capability refusals, as real Ollama answers them.
@Suite struct ToolsAndFormatTests {
    let mock = makeMock(MockOptions(models: [ModelName("llama3")!, ModelName("qwen3")!, ModelName("nomic-embed-text")!]))
    static let weather = #"[{"type":"function","function":{"name":"get_weather","description":"Get the current weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city","unit"]}}},{"type":"function","function":{"name":"add","description":"Add two numbers","parameters":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}}}]"#
    let ask = #"{"role":"user","content":"What is the weather in Paris?"}"#

    @Test func capabilitiesFollowTheFamilies() {
        #expect(Capability.defaults(for: ModelName("llama3")!) == [.completion])
        #expect(Capability.defaults(for: ModelName("llama3.1:8b")!) == [.completion, .tools])
        #expect(Capability.defaults(for: ModelName("llama3.2-vision")!) == [.completion, .vision])
        #expect(Capability.defaults(for: ModelName("qwen3:4b")!) == [.completion, .tools, .thinking])
        #expect(Capability.defaults(for: ModelName("nomic-embed-text")!) == [.embedding])
        #expect(mock.call("POST", "/api/show", #"{"model":"qwen3"}"#).json["capabilities"] == ["completion", "tools", "thinking"])
    }

    @Test func aModelWithoutToolsOrThinkingIsRefusedAsOllamaRefusesIt() {
        let native = mock.call("POST", "/api/chat", #"{"model":"llama3","stream":false,"messages":[\#(ask)],"tools":\#(Self.weather)}"#)
        #expect(native.status == 400 && native.json == ["error": "registry.ollama.ai/library/llama3:latest does not support tools"])
        let v1 = mock.call("POST", "/v1/chat/completions", #"{"model":"llama3","messages":[\#(ask)],"tools":\#(Self.weather)}"#)
        #expect(v1.status == 400 && v1.json["error"]?["message"] == "registry.ollama.ai/library/llama3:latest does not support tools")
        let think = mock.call("POST", "/api/chat", #"{"model":"llama3","stream":false,"think":true,"messages":[\#(ask)]}"#)
        #expect(think.status == 400 && think.json == ["error": "\"llama3\" does not support thinking"])
    }

    @Test func nativeToolCallsCarryObjectArguments() throws {
        let r = mock.call("POST", "/api/chat", #"{"model":"qwen3","stream":false,"messages":[\#(ask)],"tools":\#(Self.weather)}"#)
        #expect(r.status == 200)
        let message = try #require(r.json["message"])
        #expect(message["content"] == "")
        let call = try #require(message["tool_calls"]?[0])
        #expect(call["id"]?.stringValue?.hasPrefix("call_") == true && call["id"]?.stringValue?.count == 13)
        #expect(call["function"]?["name"] == "get_weather" && call["function"]?["index"] == 0)
        #expect(call["function"]?["arguments"]?["city"] == "Paris")
        #expect(["celsius", "fahrenheit"].contains(call["function"]?["arguments"]?["unit"]?.stringValue ?? ""))
        // The same request, the same call.
        #expect(mock.call("POST", "/api/chat", #"{"model":"qwen3","stream":false,"messages":[\#(ask)],"tools":\#(Self.weather)}"#).json["message"] == message)
        // Streamed: the call in a chunk of its own, then the final one.
        let lines = mock.call("POST", "/api/chat", #"{"model":"qwen3","messages":[\#(ask)],"tools":\#(Self.weather)}"#).lines
        #expect(lines.dropLast().last?["message"]?["tool_calls"] == message["tool_calls"])
        #expect(lines.last?["done"] == true)
    }

    @Test func aCannedAnswerCanForceACall() throws {
        var options = MockOptions(models: [ModelName("qwen3")!])
        options.cannedAnswers = [CannedAnswer(pattern: "weather", answer: "", toolCall: ("add", ["a": 2, "b": 3]))]
        let forced = makeMock(options)
        let r = forced.call("POST", "/api/chat", #"{"model":"qwen3","stream":false,"messages":[\#(ask)],"tools":\#(Self.weather)}"#)
        #expect(r.json["message"]?["tool_calls"]?[0]?["function"]?["name"] == "add")
        #expect(r.json["message"]?["tool_calls"]?[0]?["function"]?["arguments"] == ["a": 2, "b": 3])
        // Without tools offered, the pattern does not answer.
        #expect(forced.call("POST", "/api/chat", #"{"model":"qwen3","stream":false,"messages":[\#(ask)]}"#).json["message"]?["tool_calls"] == nil)
    }

    @Test func afterAToolResultTheAnswerIsText() {
        let body = #"{"model":"qwen3","stream":false,"tools":\#(Self.weather),"messages":[\#(ask),{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris","unit":"celsius"}}}]},{"role":"tool","content":"18 degrees","tool_name":"get_weather"}]}"#
        let r = mock.call("POST", "/api/chat", body)
        #expect(r.json["message"]?["tool_calls"] == nil)
        #expect((r.json["message"]?["content"]?.stringValue ?? "").isEmpty == false)
    }

    @Test func openAIToolCallsCarryJSONStringArguments() throws {
        let r = mock.call("POST", "/v1/chat/completions", #"{"model":"qwen3","messages":[\#(ask)],"tools":\#(Self.weather)}"#)
        let choice = try #require(r.json["choices"]?[0])
        #expect(choice["finish_reason"] == "tool_calls" && choice["message"]?["content"] == "")
        let call = try #require(choice["message"]?["tool_calls"]?[0])
        #expect(call["type"] == "function" && call["index"] == 0 && call["function"]?["name"] == "get_weather")
        let arguments = try JSONParser.parse(try #require(call["function"]?["arguments"]?.stringValue))
        #expect(arguments["city"] == "Paris")
        let events = mock.call("POST", "/v1/chat/completions", #"{"model":"qwen3","stream":true,"messages":[\#(ask)],"tools":\#(Self.weather)}"#).events
        let chunks = events.dropLast().map { (try? JSONParser.parse($0)) ?? .null }
        #expect(chunks.first?["choices"]?[0]?["delta"]?["tool_calls"]?[0]?["function"]?["name"] == "get_weather")
        #expect(chunks.last?["choices"]?[0]?["finish_reason"] == "tool_calls")
    }

    @Test func structuredOutputIsJSONThatFitsTheSchema() throws {
        let schema = ##"{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":18,"maximum":99},"tags":{"type":"array","items":{"type":"string"},"minItems":2},"home":{"$ref":"#/$defs/City"},"nick":{"anyOf":[{"type":"string"},{"type":"null"}]}},"required":["name","age","tags","home","nick"],"$defs":{"City":{"type":"object","properties":{"city":{"type":"string"},"zip":{"type":"string","format":"uuid"}}}}}"##
        let native = mock.call("POST", "/api/chat", #"{"model":"llama3","stream":false,"format":\#(schema),"messages":[{"role":"user","content":"Tell me about Ada"}]}"#)
        let value = try JSONParser.parse(try #require(native.json["message"]?["content"]?.stringValue))
        #expect(value["name"]?.stringValue == "Ada")
        #expect((18...99).contains(value["age"]?.intValue ?? 0))
        #expect((value["tags"]?.arrayValue?.count ?? 0) >= 2)
        #expect(value["home"]?["city"]?.stringValue != nil && value["home"]?["zip"]?.stringValue?.count == 36)
        #expect(value["nick"]?.stringValue != nil)
        let json = mock.call("POST", "/api/generate", #"{"model":"llama3","stream":false,"format":"json","prompt":"hi"}"#)
        #expect(try JSONParser.parse(try #require(json.json["response"]?.stringValue))["answer"]?.stringValue != nil)
        let v1 = mock.call("POST", "/v1/chat/completions", #"{"model":"llama3","messages":[{"role":"user","content":"Tell me about Ada"}],"response_format":{"type":"json_schema","json_schema":{"name":"p","strict":true,"schema":\#(schema)}}}"#)
        #expect(try JSONParser.parse(try #require(v1.json["choices"]?[0]?["message"]?["content"]?.stringValue))["name"] == "Ada")
        // Streamed, the pieces join into the same JSON.
        let streamed = mock.call("POST", "/api/chat", #"{"model":"llama3","format":\#(schema),"messages":[{"role":"user","content":"Tell me about Ada"}]}"#).lines
        let joined = streamed.compactMap { $0["message"]?["content"]?.stringValue }.joined()
        #expect(try JSONParser.parse(joined) == value)
    }

    @Test func aSchemaAskingForTooMuchGetsABoundedAnswerNotAFrozenMock() throws {
        // Each of these took the mock down (an overflow, a Double too large for an Int, a
        // negative range) or held its loop for good (a trillion characters, 10¹⁶ items).
        func answer(_ schema: String) throws -> JSONValue {
            let r = mock.call("POST", "/api/chat", #"{"model":"llama3","stream":false,"format":\#(schema),"messages":[{"role":"user","content":"hi"}]}"#)
            #expect(r.status == 200)
            return try JSONParser.parse(try #require(r.json["message"]?["content"]?.stringValue))
        }
        let wide = try answer(#"{"type":"object","properties":{"n":{"type":"integer","minimum":-9e18,"maximum":9e18}}}"#)
        let n = try #require(wide["n"]?.doubleValue)
        #expect(n >= -9e18 && n <= 9e18 && n.rounded() == n)
        #expect(try answer(#"{"type":"object","properties":{"n":{"type":"integer","minimum":1e300}}}"#)["n"]?.doubleValue == 1e300)
        let exact = try answer(#"{"type":"object","properties":{"n":{"type":"integer","minimum":5,"maximum":7}}}"#)
        #expect((5...7).contains(exact["n"]?.intValue ?? 0))
        let far = try answer(#"{"type":"object","properties":{"x":{"type":"number","minimum":-1e308,"maximum":1e308}}}"#)
        #expect(far["x"]?.doubleValue?.isFinite == true)
        let long = try answer(#"{"type":"string","minLength":1000000000000}"#)
        #expect((long.stringValue?.count ?? 0) >= SchemaValue.maxLength && (long.stringValue?.count ?? 0) < SchemaValue.maxLength + 64)
        let nested = try answer(#"{"type":"array","minItems":100000000,"items":{"type":"array","minItems":100000000}}"#)
        let items = nested.arrayValue?.reduce(0) { $0 + 1 + ($1.arrayValue?.count ?? 0) } ?? 0
        #expect(items > 0 && items <= SchemaValue.maxValues)
        #expect(try answer(#"{"type":"array","minItems":-10,"maxItems":-5}"#) == .array([]))
    }

    @Test func thinkingComesBeforeTheAnswer() throws {
        let r = mock.call("POST", "/api/chat", #"{"model":"qwen3","stream":false,"think":true,"messages":[\#(ask)]}"#)
        #expect((r.json["message"]?["thinking"]?.stringValue ?? "").isEmpty == false && (r.json["message"]?["content"]?.stringValue ?? "").isEmpty == false)
        let lines = mock.call("POST", "/api/chat", #"{"model":"qwen3","think":true,"messages":[\#(ask)]}"#).lines
        let firstContent = try #require(lines.firstIndex { !($0["message"]?["content"]?.stringValue ?? "").isEmpty })
        let lastThinking = try #require(lines.lastIndex { $0["message"]?["thinking"] != nil })
        #expect(lastThinking < firstContent)
        let v1 = mock.call("POST", "/v1/chat/completions", #"{"model":"qwen3","reasoning_effort":"low","messages":[\#(ask)]}"#)
        #expect((v1.json["choices"]?[0]?["message"]?["reasoning"]?.stringValue ?? "").isEmpty == false)
        #expect(mock.call("POST", "/api/chat", #"{"model":"qwen3","stream":false,"messages":[\#(ask)]}"#).json["message"]?["thinking"] == nil)
    }

    @Test func wrongFieldTypesGetGosDecodingError() {
        let chat = mock.call("POST", "/api/chat", #"{"model":"llama3","messages":"hi"}"#)
        #expect(chat.status == 400 && chat.json == ["error": "json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message"])
        let list = mock.call("POST", "/api/embeddings", #"{"model":"nomic-embed-text","prompt":["a","b"]}"#)
        #expect(list.status == 400 && list.json == ["error": "json: cannot unmarshal array into Go struct field EmbeddingRequest.prompt of type string"])
        let number = mock.call("POST", "/api/embeddings", #"{"model":"nomic-embed-text","prompt":3}"#)
        #expect(number.status == 400 && number.json == ["error": "json: cannot unmarshal number into Go struct field EmbeddingRequest.prompt of type string"])
    }

    @Test func keepAliveZeroUnloads() {
        _ = mock.call("POST", "/api/chat", #"{"model":"llama3","stream":false,"messages":[\#(ask)]}"#)
        #expect(mock.call("GET", "/api/ps").json["models"]?.arrayValue?.count == 1)
        let r = mock.call("POST", "/api/chat", #"{"model":"llama3","keep_alive":0,"messages":[]}"#)
        #expect(r.json["done_reason"] == "unload")
        #expect(mock.call("GET", "/api/ps").json["models"] == [])
    }
}

/// Every field the mock knows the Go type of, sent with every JSON type it does not
/// take: each gets encoding/json's sentence and a 400, never a quiet 200.
@Suite struct RequestShapeTests {
    static let paths: [String: (method: String, path: String)] = [
        "api.ChatRequest": ("POST", "/api/chat"), "api.GenerateRequest": ("POST", "/api/generate"), "api.EmbedRequest": ("POST", "/api/embed"),
        "api.EmbeddingRequest": ("POST", "/api/embeddings"), "api.ShowRequest": ("POST", "/api/show"), "api.PullRequest": ("POST", "/api/pull"),
        "api.CopyRequest": ("POST", "/api/copy"), "api.DeleteRequest": ("DELETE", "/api/delete"),
        "openai.ChatCompletionRequest": ("POST", "/v1/chat/completions"), "openai.CompletionRequest": ("POST", "/v1/completions"),
        "openai.EmbedRequest": ("POST", "/v1/embeddings"), "openai.ResponsesRequest": ("POST", "/v1/responses"),
    ]
    static let samples: [(String, JSONValue)] = [("string", "x"), ("number", 7), ("bool", true), ("array", [1]), ("object", ["a": 1])]

    @Test func wrongTypesAreRefusedOnEveryEndpoint() {
        let mock = makeMock()
        var decoded: Set<String> = []
        for body in GoRequests.all { decoded.insert(body.goType) }
        #expect(Set(Self.paths.keys) == decoded, "every decoded struct is exercised")
        var checked = 0
        for target in GoRequests.all {
            let route = Self.paths[target.goType]!
            for (field, kind) in target.fields {
                for (jsonName, sample) in Self.samples where !Self.fits(sample, kind) {
                    let body = JSONValue.object([("model", field == "model" ? sample : "llama3"), (field, sample)]).compact
                    let r = mock.call(route.method, route.path, body)
                    let message = r.json["error"]?.stringValue ?? r.json["error"]?["message"]?.stringValue ?? ""
                    #expect(r.status == 400, "\(route.path) \(field)=\(jsonName)")
                    if case .duration = kind {
                        // api.Duration decodes itself and words its own refusal.
                        #expect(message == "Unsupported type: '\(Self.goAnyType[jsonName]!)'", "\(route.path) \(field)=\(jsonName): \(message)")
                        checked += 1
                        continue
                    }
                    #expect(message.hasPrefix("json: cannot unmarshal \(jsonName) into Go struct field \(target.structName).\(field) of type "),
                            "\(route.path) \(field)=\(jsonName): \(message)")
                    checked += 1
                }
            }
        }
        #expect(checked > 150)
        let fraction = mock.call("POST", "/v1/chat/completions", #"{"model":"llama3","max_tokens":1.5,"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(fraction.json["error"]?["message"] == "json: cannot unmarshal number 1.5 into Go struct field ChatCompletionRequest.max_tokens of type int")
    }

    /// What Go's `reflect.TypeOf` names a JSON value decoded into `any`.
    static let goAnyType = ["bool": "bool", "array": "[]interface {}", "object": "map[string]interface {}"]

    static func fits(_ value: JSONValue, _ kind: GoDecoding.Kind) -> Bool {
        switch kind {
        case .string: return value.stringValue != nil
        case .bool: return value.boolValue != nil
        case .number, .integer: return value.doubleValue != nil
        case .array, .slice: return value.arrayValue != nil
        case .base64: return value.arrayValue != nil || value.stringValue != nil
        case .object, .structure: return value.objectValue != nil
        case .duration: return value.doubleValue != nil || value.stringValue != nil
        case .any: return true
        }
    }
}
