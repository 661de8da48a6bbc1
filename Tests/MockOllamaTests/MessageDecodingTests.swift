import Testing
import LabCore
@testable import MockOllama

/// Messages as Ollama decodes them: Go's sentences for a mistyped field inside a message,
/// which mistake wins, and the `/v1` layer's own refusals (content parts, images, tool calls).
@Suite struct MessageDecodingTests {
    let mock = makeMock()

    func nativeError(_ body: String) -> String? {
        let r = mock.call("POST", "/api/chat", body)
        return r.status == 400 ? r.json["error"]?.stringValue : nil
    }

    func openAIError(_ body: String) -> String? {
        let r = mock.call("POST", "/v1/chat/completions", body)
        return r.status == 400 ? r.json["error"]?["message"]?.stringValue : nil
    }

    /// What LiteLLM, cline and other clients meet when they send OpenAI's content parts to
    /// the native API: the sentence their users paste into bug reports.
    @Test func contentPartsOnTheNativeAPIAreRefusedAsOllamaRefusesThem() {
        #expect(nativeError(#"{"model":"llama3","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}"#)
            == "json: cannot unmarshal array into Go struct field ChatRequest.messages.content of type string")
        #expect(nativeError(#"{"model":"llama3","messages":[{"role":7,"content":"hi"}]}"#)
            == "json: cannot unmarshal number into Go struct field ChatRequest.messages.role of type string")
        #expect(nativeError(#"{"model":"llama3","messages":[{"role":"user","content":"hi","images":"x"}]}"#)
            == "json: cannot unmarshal string into Go struct field ChatRequest.messages.images of type []api.ImageData")
        #expect(nativeError(#"{"model":"llama3","messages":[{"role":"assistant","content":"","tool_calls":[{"function":{"name":3}}]}]}"#)
            == "json: cannot unmarshal number into Go struct field ChatRequest.messages.tool_calls.function.name of type string")
        #expect(nativeError(#"{"model":"llama3","messages":[{"role":"assistant","content":"","tool_calls":["f"]}]}"#)
            == "json: cannot unmarshal string into Go struct field ChatRequest.messages.tool_calls of type api.ToolCall")
        // A message that is not an object reaches api.Message's own decoder, whose type is a local alias.
        #expect(nativeError(#"{"model":"llama3","messages":["hi"]}"#)
            == "json: cannot unmarshal string into Go struct field ChatRequest.messages of type api.Alias")
        #expect(nativeError(#"{"model":"llama3","messages":[{"role":"user","content":"a"},[1]]}"#)
            == "json: cannot unmarshal array into Go struct field ChatRequest.messages of type api.Alias")
        // A null message is an empty one, as in Go.
        #expect(nativeError(#"{"model":"llama3","stream":false,"messages":[null,{"role":"user","content":"hi"}]}"#) == nil)
    }

    @Test func aMessagesOwnDecoderEndsDecodingAndWinsOverAnEarlierMistake() {
        // api.Message's error is returned at once, so it beats `stream` written before it...
        #expect(nativeError(#"{"stream":"yes","model":"llama3","messages":[{"role":"user","content":[]}]}"#)
            == "json: cannot unmarshal array into Go struct field ChatRequest.messages.content of type string")
        // ...and inside one message the first mistake in the document is the one reported.
        #expect(nativeError(#"{"model":"llama3","messages":[{"content":1,"role":2}]}"#)
            == "json: cannot unmarshal number into Go struct field ChatRequest.messages.content of type string")
        #expect(nativeError(#"{"model":"llama3","messages":[{"role":"user","content":"a"},{"role":"user","content":{}}]}"#)
            == "json: cannot unmarshal object into Go struct field ChatRequest.messages.content of type string")
        // Without a message mistake the earlier field's stands.
        #expect(nativeError(#"{"stream":"yes","model":"llama3","messages":[{"role":"user","content":"a"}]}"#)
            == "json: cannot unmarshal string into Go struct field ChatRequest.stream of type bool")
    }

    /// openai.Message is a plain struct: its mistakes are kept in document order with the rest,
    /// and named after the innermost struct, an anonymous one printing as nothing.
    @Test func openAIMessagesAreCheckedAsPlainStructs() {
        #expect(openAIError(#"{"model":"llama3","messages":[{"role":1,"content":"x"}]}"#)
            == "json: cannot unmarshal number into Go struct field Message.messages.role of type string")
        #expect(openAIError(#"{"model":"llama3","messages":["x"]}"#)
            == "json: cannot unmarshal string into Go struct field ChatCompletionRequest.messages of type openai.Message")
        #expect(openAIError(#"{"model":"llama3","messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":{"a":1}}}]}]}"#)
            == "json: cannot unmarshal object into Go struct field .messages.tool_calls.function.arguments of type string")
        #expect(openAIError(#"{"model":"llama3","messages":[{"role":"assistant","tool_calls":[{"index":1.5}]}]}"#)
            == "json: cannot unmarshal number 1.5 into Go struct field ToolCall.messages.tool_calls.index of type int")
        #expect(openAIError(#"{"model":"llama3","stream":"x","messages":[{"role":1}]}"#)
            == "json: cannot unmarshal string into Go struct field ChatCompletionRequest.stream of type bool")
        #expect(openAIError(#"{"model":"llama3","messages":[{"role":1}],"stream":"x"}"#)
            == "json: cannot unmarshal number into Go struct field Message.messages.role of type string")
    }

    @Test func openAIContentIsRefusedAsOllamasConversionRefusesIt() {
        let cases: [(String, String)] = [
            (#"{"role":"user","content":5}"#, "invalid message content type: float64"),
            (#"{"role":"user","content":true}"#, "invalid message content type: bool"),
            (#"{"role":"user","content":{"text":"a"}}"#, "invalid message content type: map[string]interface {}"),
            (#"{"role":"user"}"#, "invalid message content type: <nil>"),
            (#"{"role":"user","content":null}"#, "invalid message content type: <nil>"),
            (#"{"role":"user","content":["a"]}"#, "invalid message format"),
            (#"{"role":"user","content":[{"type":"text"}]}"#, "invalid message format"),
            (#"{"role":"user","content":[{"type":"input_text","text":"a"}]}"#, "invalid message format"),
            (#"{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}"#, "invalid image input"),
            (#"{"role":"user","content":[{"type":"image_url","image_url":"data:image/gif;base64,R0lG"}]}"#, "invalid image input"),
            (#"{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,abc"}}]}"#, "invalid message format"),
            (#"{"role":"user","content":[{"type":"image_url","image_url":{}}]}"#, "invalid message format"),
            (#"{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":""}}]}"#, "invalid tool call arguments"),
            (#"{"role":"assistant","content":null,"tool_calls":[{"function":{"name":"f","arguments":"[1]"}}]}"#, "invalid tool call arguments"),
        ]
        for (message, refusal) in cases {
            #expect(openAIError(#"{"model":"llama3","messages":[\#(message)]}"#) == refusal, "\(message)")
        }
        let accepted = [
            #"{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}"#,
            #"{"role":"user","content":[{"type":"image_url","image_url":"data:;base64,"},{"type":"text","text":"a"}]}"#,
            #"{"role":"assistant","content":null,"tool_calls":[{"function":{"name":"f","arguments":"{\"a\":1}"}}]},{"role":"user","content":"b"}"#,
            #"{"role":"assistant","tool_calls":[]},{"role":"user","content":"b"}"#,
        ]
        for messages in accepted {
            #expect(mock.call("POST", "/v1/chat/completions", #"{"model":"llama3","messages":[\#(messages)]}"#).status == 200, "\(messages)")
        }
        // Ollama checks the count sent before converting: a message of no parts is not "too short".
        #expect(openAIError(#"{"model":"llama3","messages":[]}"#) == "[] is too short - 'messages'")
        #expect(openAIError(#"{"model":"llama3","messages":[{"role":"user","content":[]}]}"#) != "[] is too short - 'messages'")
    }

    /// Each text part is a message of its own, as Ollama makes it; image parts are left out.
    @Test func eachTextPartIsItsOwnMessage() {
        let parts = try! OpenAIMessages.native([
            ["role": "user", "content": [["type": "text", "text": "a"], ["type": "image_url", "image_url": "data:;base64,"], ["type": "text", "text": "b"]]],
            ["role": "assistant", "content": .null, "tool_calls": [["function": ["name": "f", "arguments": "null"]]]],
        ]).get()
        #expect(parts == [ChatMessage(role: "user", content: "a"), ChatMessage(role: "user", content: "b"), ChatMessage(role: "assistant", content: "")])
    }

    @Test func reasoningEffortIsReadAndRefusedAsOllamaDoes() {
        let ask = #""messages":[{"role":"user","content":"x"}]"#
        #expect(openAIError(#"{"model":"llama3","reasoning_effort":"max",\#(ask)}"#)
            == #"invalid reasoning value: 'max' (must be "high", "medium", "low", or "none")"#)
        #expect(openAIError(#"{"model":"llama3","reasoning":{"effort":"extreme"},"reasoning_effort":"low",\#(ask)}"#)
            == #"invalid reasoning value: 'extreme' (must be "high", "medium", "low", or "none")"#)
        // `reasoning` wins even without an effort: no thinking asked, so llama3 answers.
        #expect(mock.call("POST", "/v1/chat/completions", #"{"model":"llama3","reasoning":{},"reasoning_effort":"high",\#(ask)}"#).status == 200)
        #expect(ChatAsk.reasoningEffort(["reasoning_effort": "low"]) == "low")
        #expect(ChatAsk.reasoningEffort(["reasoning": .null, "reasoning_effort": "low"]) == "low")
        #expect(ChatAsk.reasoningEffort(["reasoning": ["effort": "none"], "reasoning_effort": "low"]) == "none")
    }

    @Test func base64IsReadAsGosStandardEncoding() {
        for valid in ["", "YQ==", "YWI=", "YWJj", "YW\nJj", "YWJj\r\nYWJj", "YQ=\n=", "YWJj\n"] {
            #expect(Base64.firstCorruptByte(Array(valid.utf8)) == nil, "\(valid)")
        }
        // Where Go's decoder reports the corruption: an unfinished group at its start, a bad
        // character or misplaced padding where it is, padding cut short at the end.
        let corrupt: [(String, Int)] = [
            ("Y", 0), ("YQ", 0), ("YWI", 0), ("YWJjY", 4), ("Y===", 1), ("YQ=", 3), ("=YWI", 0), ("YQ==YQ==", 4),
            ("YWJj=", 4), ("YW J", 2), ("YW-_", 2), ("YQ=x", 2), ("/path/img.png", 9),
        ]
        for (input, at) in corrupt { #expect(Base64.firstCorruptByte(Array(input.utf8)) == at, "\(input)") }
    }

    /// A native image is base64 that encoding/json decodes: a path or a link sent instead is
    /// Go's base64 error, context-free, from inside a message as from the top of a body.
    @Test func nativeImagesAreDecodedAsBase64() {
        #expect(nativeError(#"{"model":"llama3","messages":[{"role":"user","content":"hi","images":["/path/img.png"]}]}"#)
            == "illegal base64 data at input byte 9")
        #expect(nativeError(#"{"model":"llama3","messages":[{"role":"user","content":"hi","images":[5]}]}"#)
            == "json: cannot unmarshal number into Go struct field ChatRequest.messages.images of type api.ImageData")
        let generate = mock.call("POST", "/api/generate", #"{"model":"llama3","prompt":"hi","images":["https://example.com/a.png"]}"#)
        #expect(generate.status == 400 && generate.json["error"] == "illegal base64 data at input byte 5")
        #expect(mock.call("POST", "/api/generate", #"{"model":"llama3","prompt":"hi","stream":false,"images":["iVBORw0KGgo="]}"#).status == 200)
    }
}
