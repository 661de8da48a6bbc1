import Testing
import LabCore
import LabHTTP
import FaultInjector
@testable import MockOllama
@testable import MockVendors

/// The fake OpenAI and Anthropic, without sockets: their shapes, errors and headers.
struct Rendered {
    var status = 0
    var headers = HTTPHeaders()
    var body: [UInt8] = []
    var chunks: [[UInt8]] = []
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
}

func render(_ script: WireScript) -> Rendered {
    let sent = script.sent
    return Rendered(status: sent.status, headers: sent.headers, body: sent.chunks.flatMap { $0 }, chunks: sent.chunks)
}

func call(_ m: any MockService, _ method: String, _ path: String, _ body: String? = nil, headers: [(String, String)]) -> Rendered {
    render(m.answer(to: HTTPRequest(method: method, target: path, headers: HTTPHeaders(headers), body: body.map { Array($0.utf8) } ?? [])).script)
}

let fixed = WallTime(seconds: 1_767_225_600, nanos: 0)

@Suite struct FakeOpenAITests {
    let m: FakeOpenAI = {
        let m = try! FakeOpenAI(options: MockOptions(cannedAnswers: [CannedAnswer(pattern: "capital of France", answer: "Paris.")]))
        m.clock = { fixed }
        return m
    }()
    let auth = [("Authorization", "Bearer sk-lab")]

    @Test func aChatAnswerHasOpenAIsFieldsAndHeaders() {
        let r = call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"What is the capital of France?"}]}"#, headers: auth)
        #expect(r.status == 200)
        #expect(r.json["object"]?.stringValue == "chat.completion" && r.json["id"]?.stringValue?.hasPrefix("chatcmpl-") == true)
        #expect(r.json["choices"]?[0]?["message"]?["content"]?.stringValue == "Paris.")
        #expect(r.json["choices"]?[0]?["finish_reason"]?.stringValue == "stop")
        #expect(r.json["usage"]?["completion_tokens_details"]?["reasoning_tokens"]?.intValue == 0)
        #expect(r.headers["x-ratelimit-remaining-requests"] == "9999" && r.headers["x-request-id"]?.hasPrefix("req_") == true)
    }

    @Test func aStreamEndsWithUsageWhenAskedAndDone() {
        let r = call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"max_tokens":3,"messages":[{"role":"user","content":"Tell me a story"}]}"#, headers: auth)
        let events = r.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(events.last == "data: [DONE]")
        let parsed = events.dropLast().map { (try? JSONParser.parse(String($0.dropFirst(6)))) ?? .null }
        #expect(parsed.first?["choices"]?[0]?["delta"]?["role"]?.stringValue == "assistant")
        #expect(parsed.last?["usage"]?["completion_tokens"]?.intValue == 3 && parsed.last?["choices"]?.arrayValue?.isEmpty == true)
        #expect(parsed[parsed.count - 2]["choices"]?[0]?["finish_reason"]?.stringValue == "length")
        #expect(r.chunks.count == 3 + 2 + 1, "one chunk per token, then the finish, the usage and [DONE]")
    }

    @Test func toolsAndStructuredOutput() throws {
        let tools = #"[{"type":"function","function":{"name":"get_weather","description":"weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]"#
        let r = call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","tools":\#(tools),"messages":[{"role":"user","content":"What is the weather in Paris?"}]}"#, headers: auth)
        let calls = r.json["choices"]?[0]?["message"]?["tool_calls"]?.arrayValue ?? []
        #expect(calls.count == 1 && calls[0]["function"]?["name"]?.stringValue == "get_weather")
        #expect(try JSONParser.parse(calls[0]["function"]?["arguments"]?.stringValue ?? "")["city"]?.stringValue != nil)
        #expect(r.json["choices"]?[0]?["finish_reason"]?.stringValue == "tool_calls")
        let s = call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}}},"messages":[{"role":"user","content":"a number"}]}"#, headers: auth)
        #expect(try JSONParser.parse(s.json["choices"]?[0]?["message"]?["content"]?.stringValue ?? "")["n"]?.intValue != nil)
    }

    @Test func openAIsOwnErrors() {
        #expect(call(m, "POST", "/v1/chat/completions", "{}", headers: []).status == 401)
        let unknown = call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-9","messages":[]}"#, headers: auth)
        #expect(unknown.status == 404 && unknown.json["error"]?["code"]?.stringValue == "model_not_found")
        let bad = call(m, "POST", "/v1/chat/completions", "{", headers: auth)
        #expect(bad.status == 400 && bad.json["error"]?["type"]?.stringValue == "invalid_request_error")
        #expect(call(m, "GET", "/v1/models", headers: auth).json["data"]?.arrayValue?.count == 2)
        let e = call(m, "POST", "/v1/embeddings", #"{"model":"text-embedding-3-small","input":"hi"}"#, headers: auth)
        #expect(e.status == 200 && e.json["data"]?[0]?["embedding"]?.arrayValue?.isEmpty == false && e.headers["x-request-id"] != nil)
    }

    @Test func moreOutputThanTheModelWritesIsRefusedAsOpenAIRefusesIt() {
        let r = call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","max_tokens":20000,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#, headers: auth)
        #expect(r.status == 400)
        #expect(r.json == ["error": ["message": "max_tokens is too large: 20000. This model supports at most 16384 completion tokens, whereas you provided 20000.",
                                     "type": "invalid_request_error", "param": "max_tokens", "code": nil]])
        let newer = call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","max_completion_tokens":16385,"messages":[{"role":"user","content":"hi"}]}"#, headers: auth)
        #expect(newer.status == 400 && newer.json["error"]?["param"] == "max_completion_tokens")
        #expect(call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","max_tokens":16384,"messages":[{"role":"user","content":"hi"}]}"#, headers: auth).status == 200)
        let none = call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}"#, headers: auth)
        #expect(none.status == 400)
        #expect(none.json == ["error": ["message": "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead.",
                                        "type": "invalid_request_error", "param": "max_tokens", "code": "integer_below_min_value"]])
    }

    /// A history trimmed between a tool call and its result: Ollama takes it, OpenAI does not
    /// (its message keeps its own spelling of "preceding").
    @Test func aToolResultWithoutItsCallIsRefusedAsOpenAIRefusesIt() {
        let toolCall = #"{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"w","arguments":"{}"}}]}"#
        let result = #"{"role":"tool","tool_call_id":"call_1","content":"sunny"}"#
        func chat(_ messages: String) -> (Int, String?, String?) {
            let r = call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","messages":[\#(messages)]}"#, headers: auth)
            return (r.status, r.json["error"]?["message"]?.stringValue, r.json["error"]?["param"]?.stringValue)
        }
        let orphan = chat(#"{"role":"user","content":"Weather?"},\#(result),{"role":"user","content":"And tomorrow?"}"#)
        #expect(orphan.0 == 400 && orphan.2 == "messages.[1].role")
        #expect(orphan.1 == "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.")
        #expect(chat(#"{"role":"user","content":"Weather?"},\#(toolCall),\#(result)"#).0 == 200)
    }

    /// The other ways calls and results fail to pair, found message by message as OpenAI
    /// reads the history: an interrupted call (a user turn before its result), a result for
    /// a call that was not made, a result without its id. Parallel calls answered in any
    /// order pass.
    @Test func toolCallsAndResultsPairUpAsOpenAIRequires() {
        func toolCall(_ id: String) -> String { #"{"id":"\#(id)","type":"function","function":{"name":"w","arguments":"{}"}}"# }
        func calls(_ ids: String...) -> JSONValue { try! JSONParser.parse(#"{"role":"assistant","content":null,"tool_calls":[\#(ids.map(toolCall).joined(separator: ","))]}"#) }
        func result(_ id: String) -> JSONValue { ["role": "tool", "tool_call_id": .string(id), "content": "sunny"] }
        let user: JSONValue = ["role": "user", "content": "Weather?"]
        let unanswered = "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: "
        #expect(OpenAIToolPairing.refusal([user, calls("a", "b"), result("b"), result("a"), user]) == nil)
        #expect(OpenAIToolPairing.refusal([user, calls("a", "b"), result("b"), user, result("a")])
                == .init(message: unanswered + "a", param: "messages.[3].role"))
        #expect(OpenAIToolPairing.refusal([user, calls("a", "b"), user]) == .init(message: unanswered + "a, b", param: "messages.[2].role"))
        #expect(OpenAIToolPairing.refusal([user, calls("a")]) == .init(message: unanswered + "a", param: "messages.[1].role"))
        #expect(OpenAIToolPairing.refusal([user, calls("a"), result("a"), calls("c"), user])?.param == "messages.[4].role")
        #expect(OpenAIToolPairing.refusal([user, calls("a"), result("z")])
                == .init(message: "Invalid parameter: 'tool_call_id' of 'z' not found in 'tool_calls' of previous message.", param: "messages.[2].tool_call_id"))
        for missing: JSONValue in [["role": "tool", "content": "sunny"], ["role": "tool", "tool_call_id": .null, "content": "sunny"]] {
            #expect(OpenAIToolPairing.refusal([user, calls("a"), missing])
                    == .init(message: "Missing parameter 'tool_call_id': messages with role 'tool' must have a 'tool_call_id'.", param: "messages.[2].tool_call_id"))
        }
        // Through the fake: OpenAI's envelope, the 400 a fallback from Ollama meets.
        let r = call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Weather?"},\#(calls("call_1").compact),{"role":"user","content":"Never mind."}]}"#, headers: auth)
        #expect(r.status == 400 && r.json["error"] == ["message": .string(unanswered + "call_1"), "type": "invalid_request_error", "param": "messages.[2].role", "code": .null])
    }

    /// Tool names as MCP servers make them (dots, slashes, colons) pass Ollama and are
    /// refused by OpenAI and Anthropic, each in its own words; so is one past the length.
    @Test func toolNamesAreHeldToTheVendorsPatterns() {
        func openAI(_ names: [String?]) -> OpenAIRefusal? {
            ToolNameRules.openAI(names.map { name in
                ["type": "function", "function": name.map { ["name": .string($0), "parameters": ["type": "object"]] } ?? ["parameters": ["type": "object"]]]
            })
        }
        #expect(openAI(["get_weather", "search-docs", "A1"]) == nil)
        #expect(openAI(["get_weather", "github.create_issue"]) == .init(
            message: "Invalid 'tools[1].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
            param: "tools[1].function.name", code: "invalid_value"))
        #expect(openAI(["fs/read"])?.code == "invalid_value" && openAI(["mcp::search"])?.code == "invalid_value" && openAI([""])?.code == "invalid_value")
        #expect(openAI([String(repeating: "a", count: 65)]) == .init(
            message: "Invalid 'tools[0].function.name': string too long. Expected a string with maximum length 64, but got a string with length 65 instead.",
            param: "tools[0].function.name", code: "string_above_max_length"))
        #expect(openAI([String(repeating: "a", count: 64)]) == nil)
        #expect(openAI([nil])?.message == "Missing required parameter: 'tools[0].function.name'.")
        #expect(ToolNameRules.openAI([["type": "custom", "custom": ["name": "x.y"]], ["type": "function", "function": ["name": "a.b"]]])?.param == "tools[1].function.name")
        func anthropic(_ name: String) -> String? { ToolNameRules.anthropic([["name": .string(name), "input_schema": ["type": "object"]]]) }
        #expect(anthropic("get_weather") == nil && anthropic(String(repeating: "a", count: 128)) == nil)
        #expect(anthropic("github.create_issue") == "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'")
        #expect(anthropic(String(repeating: "a", count: 129)) != nil)
        // Through the fakes: each vendor's envelope.
        let tools = #""tools":[{"type":"function","function":{"name":"github.create_issue","parameters":{"type":"object"}}}]"#
        let o = call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini",\#(tools),"messages":[{"role":"user","content":"File it."}]}"#, headers: auth)
        #expect(o.status == 400 && o.json["error"]?["param"] == "tools[0].function.name" && o.json["error"]?["code"] == "invalid_value")
        let a = call(try! FakeAnthropic(), "POST", "/v1/messages", #"{"model":"claude-sonnet-4-6","max_tokens":50,"tools":[{"name":"github.create_issue","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"File it."}]}"#,
                     headers: [("x-api-key", "k"), ("anthropic-version", "2023-06-01")])
        #expect(a.status == 400 && a.json["error"]?["message"] == "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'")
    }

    /// The o-series and GPT-5 take max_completion_tokens and only the default temperature.
    @Test func reasoningModelsRefuseMaxTokensAndATemperatureAsOpenAIDoes() throws {
        let m = try FakeOpenAI(models: ["gpt-4o-mini", "gpt-5-mini", "o3-mini", "gpt-5.1"])
        func chat(_ model: String, _ extra: String) -> (status: Int, message: String?, param: String?, code: String?) {
            let r = call(m, "POST", "/v1/chat/completions", #"{"model":"\#(model)",\#(extra)"messages":[{"role":"user","content":"hi"}]}"#, headers: auth)
            let e = r.json["error"]
            return (r.status, e?["message"]?.stringValue, e?["param"]?.stringValue, e?["code"]?.stringValue)
        }
        for model in ["gpt-5-mini", "o3-mini", "gpt-5.1"] {
            let tokens = chat(model, #""max_tokens":500,"#)
            #expect(tokens.status == 400 && tokens.param == "max_tokens" && tokens.code == "unsupported_parameter", "\(model)")
            #expect(tokens.message == "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.")
            #expect(chat(model, #""max_completion_tokens":500,"temperature":1,"#).status == 200, "\(model)")
        }
        let warm = chat("gpt-5-mini", #""temperature":0.2,"#)
        #expect(warm.status == 400 && warm.param == "temperature" && warm.code == "unsupported_value")
        #expect(warm.message == "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.")
        #expect(chat("gpt-4o-mini", #""max_tokens":500,"temperature":0.2,"#).status == 200)
        #expect(!ReasoningModels.contains("o10") && !ReasoningModels.contains("gpt-50") && ReasoningModels.contains("o1"))
    }

    @Test func streamOptionsWithoutAStreamAreRefusedAsOpenAIRefusesThem() {
        let r = call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"#, headers: auth)
        #expect(r.status == 400)
        #expect(r.json == ["error": ["message": "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                                     "type": "invalid_request_error", "param": "stream_options", "code": nil]])
        #expect(call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"#, headers: auth).status == 200)
        #expect(call(m, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","stream_options":null,"messages":[{"role":"user","content":"hi"}]}"#, headers: auth).status == 200)
    }

    @Test func aPromptOverTheWindowIsRefusedAsOpenAIDoes() {
        var options = MockOptions()
        options.contextLengths = ["gpt-4o-mini:latest": 4]
        let small = try! FakeOpenAI(options: options)
        let r = call(small, "POST", "/v1/chat/completions", #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"one two three four five"}]}"#, headers: auth)
        #expect(r.status == 400 && r.json["error"]?["code"]?.stringValue == "context_length_exceeded")
    }
}

@Suite struct FakeAnthropicTests {
    let m: FakeAnthropic = {
        let m = try! FakeAnthropic(options: MockOptions(cannedAnswers: [CannedAnswer(pattern: "capital of France", answer: "Paris.")]))
        m.clock = { fixed }
        return m
    }()
    let auth = [("x-api-key", "sk-ant-lab"), ("anthropic-version", "2023-06-01")]

    @Test func aMessageHasAnthropicsShape() {
        let r = call(m, "POST", "/v1/messages", #"{"model":"claude-sonnet-4-6","max_tokens":100,"system":"Be brief.","messages":[{"role":"user","content":"What is the capital of France?"}]}"#, headers: auth)
        #expect(r.status == 200 && r.json["type"]?.stringValue == "message")
        #expect(r.json["content"]?[0]?["text"]?.stringValue == "Paris." && r.json["stop_reason"]?.stringValue == "end_turn")
        #expect(r.json["usage"]?["input_tokens"]?.intValue ?? 0 > 0)
        #expect(r.headers["request-id"] != nil && r.headers["anthropic-ratelimit-requests-remaining"] == "49")
    }

    @Test func theStreamIsAnthropicsEventSequence() {
        let r = call(m, "POST", "/v1/messages", #"{"model":"claude-sonnet-4-6","max_tokens":4,"stream":true,"messages":[{"role":"user","content":"Tell me a story"}]}"#, headers: auth)
        let names = r.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { String($0.prefix { $0 != "\n" }.dropFirst("event: ".count)) }
        // As Anthropic sends it: the one ping comes once the first block has opened.
        #expect(Array(names.prefix(4)) == ["message_start", "content_block_start", "ping", "content_block_delta"])
        #expect(names.filter { $0 == "ping" }.count == 1)
        #expect(names.filter { $0 == "content_block_delta" }.count == 4)
        #expect(Array(names.suffix(3)) == ["content_block_stop", "message_delta", "message_stop"])
        #expect(r.text.contains(#""stop_reason":"max_tokens""#))
        #expect(r.chunks.count == 4 + 2, "one chunk per token (the first carries the preamble), then message_delta and message_stop")
    }

    @Test func toolUseBlocks() {
        let r = call(m, "POST", "/v1/messages", #"{"model":"claude-sonnet-4-6","max_tokens":100,"tools":[{"name":"get_weather","description":"weather in a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],"messages":[{"role":"user","content":"What is the weather in Paris?"}]}"#, headers: auth)
        let block = r.json["content"]?.arrayValue?.first { $0["type"]?.stringValue == "tool_use" }
        #expect(block?["name"]?.stringValue == "get_weather" && block?["id"]?.stringValue?.hasPrefix("toolu_01") == true)
        #expect(block?["input"]?["city"]?.stringValue != nil && r.json["stop_reason"]?.stringValue == "tool_use")
    }

    @Test func anthropicsOwnErrors() {
        let noKey = call(m, "POST", "/v1/messages", "{}", headers: [])
        #expect(noKey.status == 401 && noKey.json["error"]?["type"]?.stringValue == "authentication_error" && noKey.json["type"]?.stringValue == "error")
        let noMax = call(m, "POST", "/v1/messages", #"{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"hi"}]}"#, headers: auth)
        #expect(noMax.status == 400 && noMax.json["error"]?["message"]?.stringValue == "max_tokens: Field required")
        #expect(call(m, "POST", "/v1/messages", #"{"model":"claude-9","max_tokens":5,"messages":[]}"#, headers: auth).status == 404)
        // Retired models are not served unless a lab lists them: the 404 a real Anthropic gives.
        let retired = call(m, "POST", "/v1/messages", #"{"model":"claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#, headers: auth)
        #expect(retired.status == 404 && retired.json["error"]?["message"] == "model: claude-sonnet-4-5")
        let count = call(m, "POST", "/v1/messages/count_tokens", #"{"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"one two three"}]}"#, headers: auth)
        #expect(count.json["input_tokens"]?.intValue ?? 0 >= 3)
        #expect(call(m, "GET", "/v1/models", headers: auth).json["data"]?.arrayValue?.count == 2)
        // Each model's own output limit: the 400 a cross-vendor fallback meets.
        let several = try! FakeAnthropic(models: ["claude-sonnet-4-6", "claude-haiku-4-5", "claude-opus-4-6", "claude-3-5-haiku-20241022"])
        let tooLong = call(several, "POST", "/v1/messages", #"{"model":"claude-haiku-4-5","max_tokens":100000,"messages":[{"role":"user","content":"hi"}]}"#, headers: auth)
        #expect(tooLong.status == 400 && tooLong.json["error"]?["type"] == "invalid_request_error")
        #expect(tooLong.json["error"]?["message"] == "max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-haiku-4-5")
        #expect(call(several, "POST", "/v1/messages", #"{"model":"claude-opus-4-6","max_tokens":100000,"messages":[{"role":"user","content":"hi"}]}"#, headers: auth).status == 200)
        // The models since 4.1 take temperature or top_p, not both; the 3.5 ones take both.
        let both = call(several, "POST", "/v1/messages", #"{"model":"claude-sonnet-4-6","max_tokens":50,"temperature":0.7,"top_p":0.9,"messages":[{"role":"user","content":"hi"}]}"#, headers: auth)
        #expect(both.status == 400 && both.json["error"]?["message"] == "`temperature` and `top_p` cannot both be specified for this model. Please use only one.")
        #expect(call(several, "POST", "/v1/messages", #"{"model":"claude-sonnet-4-6","max_tokens":50,"temperature":0.7,"messages":[{"role":"user","content":"hi"}]}"#, headers: auth).status == 200)
        #expect(call(several, "POST", "/v1/messages", #"{"model":"claude-3-5-haiku-20241022","max_tokens":50,"temperature":0.7,"top_p":0.9,"messages":[{"role":"user","content":"hi"}]}"#, headers: auth).status == 200)
    }

    /// What OpenAI takes and Anthropic refuses: empty turns and empty text blocks.
    @Test func emptyContentIsRefusedAsAnthropicRefusesIt() {
        func message(_ messages: String) -> (status: Int, error: String?) {
            let r = call(m, "POST", "/v1/messages", #"{"model":"claude-haiku-4-5","max_tokens":50,"messages":\#(messages)}"#, headers: auth)
            return (r.status, r.json["error"]?["message"]?.stringValue)
        }
        let emptyTurn = "messages.1: all messages must have non-empty content except for the optional final assistant message"
        #expect(message(#"[{"role":"user","content":"hi"},{"role":"assistant","content":[]},{"role":"user","content":"again"}]"#) == (400, emptyTurn))
        #expect(message(#"[{"role":"user","content":"hi"},{"role":"user","content":""}]"#) == (400, emptyTurn))
        #expect(message(#"[{"role":"user","content":"hi"},{"role":"assistant"}]"#) == (400, "messages.1.content: Field required"))
        #expect(message(#"[{"role":"user","content":[{"type":"text","text":""}]}]"#) == (400, "messages: text content blocks must be non-empty"))
        #expect(message(#"[{"role":"user","content":[{"type":"text","text":" \n"}]}]"#) == (400, "messages: text content blocks must contain non-whitespace text"))
        // The final assistant turn may be empty (a prefill left blank).
        #expect(message(#"[{"role":"user","content":"hi"},{"role":"assistant","content":""}]"#).status == 200)
        #expect(message(#"[{"role":"user","content":"hi"},{"role":"assistant","content":[]}]"#).status == 200)
    }

    /// Tool results and uses pair up across one turn; consecutive user messages are one turn,
    /// as the gateway sends each OpenAI tool result as a user message of its own.
    @Test func toolResultsAndUsesPairUpAsAnthropicChecksThem() {
        func message(_ messages: String) -> (status: Int, error: String?) {
            let r = call(m, "POST", "/v1/messages", #"{"model":"claude-haiku-4-5","max_tokens":50,"messages":\#(messages)}"#, headers: auth)
            return (r.status, r.json["error"]?["message"]?.stringValue)
        }
        let use = #"{"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"w","input":{}},{"type":"tool_use","id":"call_2","name":"w","input":{}}]}"#
        func result(_ id: String) -> String { #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"\#(id)","content":"sunny"}]}"# }
        let ask = #"{"role":"user","content":"Weather in Paris and Rome?"}"#
        #expect(message("[\(ask),\(use),\(result("call_1")),\(result("call_2"))]").status == 200, "parallel results, one message each")
        #expect(message("[\(result("call_1")),\(ask)]") == (400, "messages.0.content.0: unexpected `tool_use_id` found in `tool_result` blocks: call_1. Each `tool_result` block must have a corresponding `tool_use` block in the previous message."))
        #expect(message("[\(ask),\(use),\(result("call_1")),{\"role\":\"assistant\",\"content\":\"ok\"}]") == (400, "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: call_2. Each `tool_use` block must have a corresponding `tool_result` block in the next message."))
        #expect(message("[\(ask),\(use),\(ask)]").error?.hasPrefix("messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: call_1, call_2.") == true)
    }

    @Test func streamFaultsKeepAnthropicsFraming() {
        let request = HTTPRequest(method: "POST", target: "/v1/messages", headers: HTTPHeaders(auth),
                                  body: Array(#"{"model":"claude-sonnet-4-6","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"Tell me a story"}]}"#.utf8))
        // Faults transform whole scripts; the injector makes a deferred stream whole first.
        let script = m.answer(to: request).script.materialized
        var context = FaultContext(request: request, random: SeededRandom(seed: 1), api: .anthropic)
        let broken = render(InsertedMalformedFault(afterChunks: 2).apply(to: script, &context)).text
        #expect(broken.contains("event: content_block_delta\ndata: {\"model\": \n\n"))
        let unterminated = render(MissingDoneFault().apply(to: script, &context)).text
        #expect(!unterminated.contains("message_stop") && unterminated.contains("message_delta"))
        let failed = render(StreamErrorFault(afterChunks: 2, message: "Overloaded").apply(to: script, &context)).text
        #expect(failed.hasSuffix(#"event: error"# + "\n" + #"data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_lab_fault"}"# + "\n\n"))
        #expect(failed.components(separatedBy: "event: content_block_delta").count - 1 == 2, "two tokens, then the error")
    }

    @Test func injectedErrorsTakeTheVendorsShape() {
        let request = HTTPRequest(method: "POST", target: "/v1/messages", headers: HTTPHeaders(), body: [])
        var context = FaultContext(request: request, random: SeededRandom(seed: 1), api: .anthropic)
        let overloaded = render(StatusFault(status: 529).apply(to: WireScript([]), &context))
        #expect(overloaded.json["error"]?["type"]?.stringValue == "overloaded_error" && overloaded.headers["request-id"] != nil)
        let limited = render(StatusFault(status: 429).apply(to: WireScript([]), &context))
        #expect(limited.headers["retry-after"] == "1" && limited.json["error"]?["type"]?.stringValue == "rate_limit_error")
        var openai = FaultContext(request: request, random: SeededRandom(seed: 1), api: .openai)
        let r = render(StatusFault(status: 429, retryAfterSeconds: 2).apply(to: WireScript([]), &openai))
        #expect(r.json["error"]?["code"]?.stringValue == "rate_limit_exceeded" && r.headers["x-ratelimit-remaining-requests"] == "0")
        #expect(r.headers.values("retry-after").count == 1 && r.headers["Retry-After"] == "2")
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        guard let items = arrayValue, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
