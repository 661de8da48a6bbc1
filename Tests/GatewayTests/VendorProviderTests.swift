import Testing
import LabCore
import LabHTTP
@testable import Gateway

/// The openai and anthropic providers' transforms, pure: what goes upstream and what
/// comes back, as the gateway's source has them.
@Suite struct OpenAIProviderTests {
    let openai = OpenAIProvider()

    @Test func theBodyIsTheAllowListWithBoundsClamped() {
        let body = openai.body(.chatComplete, params: ["messages": [["role": "user", "content": "hi"]], "temperature": 3, "top_p": -1,
                                                       "stream_options": ["include_usage": true], "portkey_only": true, "max_tokens": 5])
        #expect(body["model"] == "gpt-3.5-turbo" && body["temperature"] == 2 && body["top_p"] == 0 && body["max_tokens"] == 5)
        #expect(body["stream_options"]?["include_usage"] == true && body["portkey_only"] == nil)
        #expect(openai.path(.chatComplete) == "/chat/completions" && openai.defaultBaseURL.hasSuffix("/v1"))
        #expect(openai.headers(apiKey: nil)["Authorization"] == "Bearer undefined")
    }

    @Test func answersPassAndErrorsAreWrapped() {
        let ok = openai.response(.chatComplete, status: 200, contentType: "application/json", body: Array(#"{"id":"x","choices":[]}"#.utf8), AnswerContext())
        #expect(ok == ["id": "x", "choices": []])
        let limited = openai.response(.chatComplete, status: 429, contentType: "application/json",
                                      body: Array(#"{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#.utf8), AnswerContext())
        #expect(limited == ["error": ["message": "openai error: Rate limit reached", "type": "requests", "param": nil, "code": "rate_limit_exceeded"], "provider": "openai"])
        // A network failure's text is passed on as the html-message object, status kept.
        let network = openai.response(.chatComplete, status: 500, contentType: "text/plain", body: Array("Message: fetch failed".utf8), AnswerContext())
        #expect(network == ["html-message": "Message: fetch failed"])
        #expect(openai.passes(header: "x-ratelimit-remaining-requests") && !openai.passes(header: "server"))
        var t = openai.streamTransform(AnswerContext())
        #expect(t.transform("data: {broken") == .emit(Array("data: {broken\n\n".utf8)), "no transform: a broken event reaches the client")
    }
}

@Suite struct AnthropicProviderTests {
    let anthropic = AnthropicProvider()

    @Test func anOpenAIRequestBecomesAMessagesRequest() {
        let body = anthropic.body(.chatComplete, params: [
            "model": "claude-sonnet-4-6", "max_tokens": 50, "temperature": 1.5, "stop": ["END"], "user": "u1",
            "messages": [["role": "system", "content": "Be brief."], ["role": "user", "content": "Weather?"],
                         ["role": "assistant", "content": nil, "tool_calls": [["id": "call_1", "type": "function", "function": ["name": "w", "arguments": #"{"city":"Paris"}"#]]]],
                         ["role": "tool", "tool_call_id": "call_1", "content": "sunny"]],
            "tools": [["type": "function", "function": ["name": "w", "description": "weather", "parameters": ["type": "object", "properties": ["city": ["type": "string"]]]]]],
            "tool_choice": "required",
        ])
        #expect(body["system"] == [["text": "Be brief.", "type": "text"]])
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.count == 3 && messages[0]["content"] == "Weather?")
        #expect(messages[1]["content"]?.arrayValue?.first?["input"]?["city"] == "Paris")
        #expect(messages[2]["role"] == "user" && messages[2]["content"]?.arrayValue?.first?["type"] == "tool_result")
        #expect(body["tools"]?.arrayValue?.first?["input_schema"]?["required"] == [])
        #expect(body["tool_choice"] == ["type": "any"] && body["temperature"] == 1 && body["stop_sequences"] == ["END"])
        #expect(body["metadata"]?["user_id"] == "u1" && body["max_tokens"] == 50)
        #expect(anthropic.body(.chatComplete, params: ["messages": []])["max_tokens"] == nil, "required without a default: left out")
        #expect(anthropic.headers(apiKey: "k")["anthropic-version"] == "2023-06-01" && anthropic.path(.embed) == nil)
    }

    @Test func contentPartsAndToolChoicesPassThroughAsTheGatewayPassesThem() {
        let body = anthropic.body(.chatComplete, params: [
            "model": "claude-sonnet-4-6", "max_tokens": 5,
            "messages": [["role": "developer", "content": [["type": "text", "text": "One."], ["type": "text", "text": nil]]],
                         ["role": "user", "content": [["type": "text", "text": "Look"], ["type": "image_url", "image_url": ["url": "u"]]]],
                         ["role": "assistant", "content": [["type": "text", "text": "ok"], ["type": "tool_use", "id": "x"]]],
                         ["role": "user"]],
            "tools": [["type": "function", "function": ["name": "w"]], ["type": "retrieval"]],
            "tool_choice": ["type": "function", "function": ["name": "w"]],
        ])
        #expect(body["system"] == [["text": "One.", "type": "text"], ["text": nil, "type": "text"]])
        #expect(body["messages"] == [["role": "user", "content": [["type": "text", "text": "Look"]]],
                                     ["role": "assistant", "content": [["type": "text", "text": "ok"]]],
                                     ["role": "user"]])
        #expect(body["tools"] == [["name": "w", "description": "", "input_schema": ["type": "object", "properties": [:], "required": []]]])
        #expect(body["tool_choice"] == ["type": "tool", "name": "w"])
    }

    /// As the gateway reads an `image_url`: a data URI it can split becomes a base64 image
    /// block, anything else (a link) is dropped; `cache_control` becomes `{type: ephemeral}`.
    @Test func inlineImagesBecomeImageBlocksAndLinksAreDropped() {
        let body = anthropic.body(.chatComplete, params: [
            "model": "claude-sonnet-4-6", "max_tokens": 5,
            "messages": [["role": "user", "content": [
                ["type": "text", "text": "What is this?", "cache_control": ["type": "persistent"]],
                ["type": "image_url", "image_url": ["url": "data:image/png;base64,iVBORw0KGgo="]],
                ["type": "image_url", "image_url": ["url": "https://example.com/cat.png"]],
                ["type": "image_url", "image_url": ["url": "data:image/png;base64,"]],
                ["type": "text", "text": "Brief.", "cache_control": false],
            ]]],
        ])
        #expect(body["messages"] == [["role": "user", "content": [
            ["type": "text", "text": "What is this?", "cache_control": ["type": "ephemeral"]],
            ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="]],
            ["type": "text", "text": "Brief."],
        ]]])
    }

    /// An empty reply in the history (a stream cut before its first token, stored as is)
    /// is no text block at all on its way to Anthropic: JavaScript reads "" as false.
    @Test func anEmptyAssistantReplyBecomesNoBlocks() {
        let body = anthropic.body(.chatComplete, params: [
            "model": "claude-haiku-4-5", "max_tokens": 5,
            "messages": [["role": "user", "content": "Hi"], ["role": "assistant", "content": ""], ["role": "user", "content": ""]],
        ])
        #expect(body["messages"] == [["role": "user", "content": "Hi"], ["role": "assistant", "content": []], ["role": "user", "content": ""]])
    }

    @Test func theAnswerComesBackInOpenAIsShape() {
        let answer = #"{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[{"type":"text","text":"Paris."},{"type":"tool_use","id":"toolu_1","name":"w","input":{"city":"Paris"}}],"stop_reason":"tool_use","usage":{"input_tokens":7,"output_tokens":3}}"#
        let r = anthropic.response(.chatComplete, status: 200, contentType: "application/json", body: Array(answer.utf8), AnswerContext(created: 99))
        #expect(r?["object"] == "chat.completion" && r?["provider"] == "anthropic" && r?["created"] == 99)
        let choice = r?["choices"]?.arrayValue?.first
        #expect(choice?["finish_reason"] == "tool_calls" && choice?["message"]?["content"] == "Paris.")
        #expect(choice?["message"]?["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == #"{"city":"Paris"}"#)
        #expect(choice?["message"]?["content_blocks"] == nil)
        #expect(r?["usage"] == ["prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10])
        var loose = AnswerContext()
        loose.strict = false
        let raw = anthropic.response(.chatComplete, status: 200, contentType: nil, body: Array(answer.utf8), loose)
        #expect(raw?["choices"]?.arrayValue?.first?["finish_reason"] == "tool_use")
        let overloaded = anthropic.response(.chatComplete, status: 529, contentType: "application/json",
                                            body: Array(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.utf8), AnswerContext())
        #expect(overloaded == ["error": ["message": "anthropic error: Overloaded", "type": "overloaded_error", "param": nil, "code": nil], "provider": "anthropic"])
        let network = anthropic.response(.chatComplete, status: 500, contentType: "text/plain", body: Array("Message: fetch failed".utf8), AnswerContext())
        #expect(network?["error"]?["message"] == #"Invalid response received from anthropic: {"html-message":"Message: fetch failed"}"#)
    }

    @Test func tokenCountsTooLargeForAnIntegerAddUpWithoutACrash() {
        #expect(AnthropicProvider.total([7, 3, 0, 2]) == 12)
        let huge = AnthropicProvider.total([Int.max, 1])
        #expect(huge == .double(Double(Int.max) + 1))
        #expect(AnthropicProvider.total([Int.min, -1]) == .double(Double(Int.min) - 1))
        let big = #"{"content":[],"usage":{"input_tokens":9223372036854775807,"output_tokens":1}}"#
        let r = anthropic.response(.chatComplete, status: 200, contentType: "application/json", body: Array(big.utf8), AnswerContext())
        #expect(r?["usage"]?["total_tokens"] == .double(9_223_372_036_854_775_808))
        var events = anthropic.streamTransform(AnswerContext())
        _ = events.transform(#"event: message_start\#ndata: {"type":"message_start","message":{"model":"m","usage":{"input_tokens":9223372036854775807}}}"#)
        guard case .emit(let end) = events.transform(#"event: message_delta\#ndata: {"type":"message_delta","delta":{},"usage":{"output_tokens":5}}"#) else {
            Issue.record("the last event was not turned into a chunk")
            return
        }
        let chunk = try? JSONParser.parse(String(decoding: end.dropFirst(6), as: UTF8.self))
        #expect(chunk?["usage"]?["total_tokens"] == .double(9_223_372_036_854_775_813))
    }

    @Test func theEventStreamBecomesOpenAIChunks() {
        var t = anthropic.streamTransform(AnswerContext(created: 5, nowMs: 5000))
        func emitted(_ event: String) -> JSONValue? {
            guard case .emit(let bytes) = t.transform(event) else { return nil }
            return try? JSONParser.parse(String(decoding: bytes.dropFirst(6), as: UTF8.self))
        }
        let start = emitted("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-x\",\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}")
        #expect(start?["id"] == "anthropic-5000" && start?["model"] == "claude-x")
        #expect(t.transform("event: ping\ndata: {\"type\": \"ping\"}") == .skip)
        let delta = emitted("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}")
        #expect(delta?["choices"]?.arrayValue?.first?["delta"] == ["content": "Hi"])
        let end = emitted("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}")
        #expect(end?["choices"]?.arrayValue?.first?["finish_reason"] == "stop" && end?["usage"]?["total_tokens"] == 9)
        #expect(t.transform("event: message_stop\ndata: {\"type\":\"message_stop\"}") == .emit(Array("data: [DONE]\n\n".utf8)))
        #expect(t.transform("event: content_block_delta\ndata: {broken") == .fail)
        guard case .emit(let error) = t.transform("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}") else {
            Issue.record("an error event is re-emitted")
            return
        }
        #expect(String(decoding: error, as: UTF8.self).contains(#""finish_reason":"overloaded_error""#) && String(decoding: error, as: UTF8.self).hasSuffix("data: [DONE]\n\n"))
    }
}

/// What the gateway's translations do to a client's params, as traces say it.
@Suite struct ParamChangesTests {
    /// `carries` is what `body` does: a param alone beside a model and messages changes the
    /// body sent upstream exactly when the provider says it carries it.
    @Test func whatAProviderCarriesIsWhatItsBodyCarries() {
        let base: [(String, JSONValue)] = [("model", "m"), ("messages", [["role": "user", "content": "hi"]])]
        let samples: [(String, JSONValue)] = [
            ("max_tokens", 7), ("max_completion_tokens", 9), ("temperature", 0.5), ("top_p", 0.5), ("top_k", 3), ("n", 2),
            ("stream", true), ("stop", ["END"]), ("presence_penalty", 0.5), ("frequency_penalty", 0.5), ("logit_bias", ["1": 1]),
            ("user", "u"), ("seed", 3), ("tools", [["type": "function", "function": ["name": "w"]]]), ("tool_choice", "required"),
            ("parallel_tool_calls", false), ("response_format", ["type": "json_object"]), ("logprobs", true), ("top_logprobs", 2),
            ("stream_options", ["include_usage": true]), ("thinking", ["type": "enabled"]), ("functions", []), ("function_call", "auto"),
            ("input", "text"), ("prompt", "p"), ("echo", true), ("best_of", 2), ("suffix", "s"), ("encoding_format", "float"),
            ("dimensions", 8), ("metadata", ["k": "v"]), ("store", true), ("unknown_param", 1),
        ]
        for provider in PortkeyProviders.all {
            for endpoint in [GatewayEndpoint.chatComplete, .complete, .embed] where provider.path(endpoint) != nil {
                let plain = provider.body(endpoint, params: .object(base))
                for (key, value) in samples {
                    let changed = provider.body(endpoint, params: .object(base + [(key, value)])) != plain
                    #expect(changed == provider.carries(key, endpoint), "\(provider.name) \(endpoint) \(key)")
                }
            }
        }
    }

    @Test func droppedParamsAndClampedNumbersAreSaid() {
        let params: JSONValue = ["model": "claude-haiku-4-5", "max_tokens": 50, "temperature": 1.5, "n": 2,
                                 "response_format": ["type": "json_object"], "messages": [["role": "user", "content": "hi"]]]
        let anthropic = AnthropicProvider()
        let sent = anthropic.body(.chatComplete, params: params)
        #expect(ParamChanges.notes(anthropic, .chatComplete, params: params, sent: sent) == ["not passed on: n, response_format", "temperature 1.5 → 1"])
        let openai = OpenAIProvider()
        #expect(ParamChanges.notes(openai, .chatComplete, params: params, sent: openai.body(.chatComplete, params: params)) == [])
        let negative: JSONValue = ["model": "gpt-4o-mini", "max_tokens": -160]
        #expect(ParamChanges.notes(openai, .chatComplete, params: negative, sent: openai.body(.chatComplete, params: negative)) == ["max_tokens -160 → 0"])
    }
}
