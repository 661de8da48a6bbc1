import Testing
import LabCore
import LabHTTP
@testable import Gateway

@Suite struct IntakeTests {
    func failure(_ headers: HTTPHeaders, policy: CustomHostPolicy = CustomHostPolicy()) -> JSONValue? {
        do {
            _ = try PortkeyGateway.intake(headers, policy: policy)
            return nil
        } catch {
            return error.body
        }
    }

    @Test func validatorMessages() {
        #expect(failure([:]) == ["status": "failure", "message": "Either x-portkey-config or x-portkey-provider header is required"])
        #expect(failure(["x-portkey-config": "pc-abc"]) == ["status": "failure", "message": "Invalid config passed. You need to pass a valid json"])
        #expect(failure(["x-portkey-provider": "nope"]) == ["status": "failure", "message": "Invalid provider passed"])
        #expect(failure(["x-portkey-config": #"{"provider":"ollama","custom_host":"http://10.1.2.3:11434"}"#])
                == ["status": "failure", "message": "Invalid config passed", "errors": ["path: , message: Invalid custom host"]])
        let mode = failure(["x-portkey-config": #"{"strategy":{"mode":"roundrobin"},"targets":[]}"#])
        #expect(mode?["errors"]?.arrayValue?.first?.stringValue?.hasPrefix("path: strategy,mode, message: Invalid 'mode' value") == true)
        #expect(failure(["x-portkey-config": #"{"foo":1}"#])?["message"] == "Invalid config passed")
    }

    /// The real gateway's answers (1.15.2), byte for byte.
    @Test func targetsWithoutAStrategyAndReservedNamesAreRefused() {
        let noStrategy = failure(["x-portkey-config": #"{"targets":[{"provider":"ollama","custom_host":"http://127.0.0.1:11434"}]}"#])
        #expect(noStrategy?.compact == #"{"status":"failure","message":"Invalid config passed","errors":["path: , message: Invalid configuration. It must have either 'provider' and 'api_key', or 'strategy' and 'targets', or 'cache', or 'retry', or 'request_timeout'"]}"#)
        let nested = failure(["x-portkey-config": #"{"strategy":{"mode":"fallback"},"targets":[{"targets":[{"provider":"ollama"}]}]}"#])
        #expect(nested?["errors"]?.arrayValue?.first?.stringValue?.hasPrefix("path: targets,0, message: Invalid configuration.") == true)
        let invalid = failure(["x-portkey-config": #"{"strategy":{"mode":"fallback"},"targets":[{"provider":"ollama","custom_host":"http://x.invalid:11434"}]}"#])
        #expect(invalid?.compact == #"{"status":"failure","message":"Invalid config passed","errors":["path: , message: Invalid custom host"]}"#)
        #expect(failure(["x-portkey-provider": "ollama", "x-portkey-custom-host": "http://x.invalid:11434"]) == ["status": "failure", "message": "Invalid custom host"])
        // A target that is only a provider that needs no key, or only a request_timeout, is fine.
        #expect(failure(["x-portkey-config": #"{"provider":"ollama"}"#]) == nil)
        #expect(failure(["x-portkey-config": #"{"request_timeout":0}"#])?["message"] == "Invalid config passed")
    }

    @Test func keysInEitherCaseAndUnknownKeysIgnored() throws {
        let t = try PortkeyGateway.intake(["x-portkey-config": #"{"strategy":{"mode":"fallback","onStatusCodes":[429]},"targets":[{"provider":"ollama","requestTimeout":5,"use_retry_after_headers":true,"retry":{"attempts":2,"use_retry_after_header":true}}]}"#], policy: CustomHostPolicy())
        #expect(t.onStatusCodes == [429])
        #expect(t.targets[0].requestTimeoutMs == 5)
        #expect(t.targets[0].retry == .init(attempts: 2, onStatusCodes: nil, useRetryAfterHeader: true))
    }

    @Test func customHostPolicy() {
        let p = CustomHostPolicy(trusted: CustomHostPolicy.defaultTrusted.union(["ollama.svc"]))
        for ok in ["http://localhost:11434", "http://127.0.0.1:1", "http://host.docker.internal:3", "http://portkey-gateway-ollama:11434",
                   "http://ollama.svc:1", "https://api.example.com", "http://ollama.gone.example:11434", "http://LOCALHOST:80", "http://a.localhost:1",
                   "http://8.8.8.8:1", "http://localhost:11434/v1",
                   // `new URL` makes these 127.0.0.1 and a.b.com before the check sees them
                   "http://127.1:1", "http://a%2eb.com"] {
            #expect(p.allows(ok), "\(ok)")
        }
        for bad in ["http://10.1.2.3:11434", "http://192.168.1.5", "http://172.20.0.1", "http://169.254.169.254", "http://box.local:1",
                    "http://metadata.google.internal", "http://[fd00::1]:1", "ftp://x", "http://x.invalid:11434", "http://x.test", "http://x.corp",
                    // other spellings of 10.200.0.2, as `new URL` reads them
                    "http://10.200.2:1", "http://0xa.0xc8.0.2:1", "http://180879362:1", "http://012.200.0.2:1",
                    // what the real gateway refuses besides
                    "http://[::1]:2", "http://localhost.:1", "http://x@evil.com:1", "http://user:pw@example.com",
                    "http://0.0.0.0:1", "http://224.0.0.1", "http://api.portkey.ai", "http://ex ample.com", "http://x:99999",
                    "javascript:alert(1)", "", "http://\u{7F}x.com", "http://a.b.c.d.e.f.g.h.i.j.k.com"] {
            #expect(!p.allows(bad), "\(bad)")
        }
        // TRUSTED_CUSTOM_HOSTS replaces the defaults, as on the gateway.
        let only = CustomHostPolicy.fromEnvironment("ollama.svc, 10.1.2.3")
        #expect(only.allows("http://10.1.2.3:1") && only.allows("http://ollama.svc:1") && !only.allows("http://127.0.0.1:1"))
        #expect(CustomHostPolicy.fromEnvironment("").allows("http://localhost:1"))
    }

    @Test func hostsAreParsedAsNodesURLParsesThem() {
        #expect(WHATWGURL.parse("http://10.200.2:80/x")?.hostname == "10.200.0.2")
        #expect(WHATWGURL.parse("http://10.200.2:80/x")?.port == "")
        #expect(WHATWGURL.parse("http://0xa.0xc8.0.2")?.hostname == "10.200.0.2")
        #expect(WHATWGURL.parse("http://012.200.0.2")?.hostname == "10.200.0.2")
        #expect(WHATWGURL.parse("http://180879362")?.hostname == "10.200.0.2")
        #expect(WHATWGURL.parse("http://Portkey-Gateway-Ollama:11434")?.hostname == "portkey-gateway-ollama")
        #expect(WHATWGURL.parse("http://[::1]:8080")?.hostname == "[::1]")
        #expect(WHATWGURL.parse("http://u:p@h:1")?.username == "u")
        #expect(WHATWGURL.parse("http://1.2.3.256") == nil)
        #expect(WHATWGURL.parse("http://h:65536") == nil)
        #expect(WHATWGURL.parse("http://0x100000000") == nil)
    }
}

/// The client's body is read once while it repeats: the same bytes give the last tree,
/// any other bytes (the same length included) their own.
@Suite struct ClientBodyTests {
    @Test func aRepeatedBodyIsTheSameTreeAndAnotherIsReadAgain() throws {
        let gateway = try Harness().gateway!
        let a = Array(#"{"model":"llama3","n":1}"#.utf8), b = Array(#"{"model":"llama3","n":2}"#.utf8)
        #expect(gateway.clientBody(a) == .object([("model", "llama3"), ("n", 1)]))
        #expect(gateway.clientBody(a) == .object([("model", "llama3"), ("n", 1)]))
        #expect(gateway.clientBody(b)["n"]?.intValue == 2)
        #expect(gateway.clientBody(a)["n"]?.intValue == 1)
        // Not JSON: an empty object, as the gateway reads it; then JSON again.
        #expect(gateway.clientBody(Array("not json".utf8)) == .object([]))
        #expect(gateway.clientBody([]) == .object([]))
        #expect(gateway.clientBody(b)["n"]?.intValue == 2)
        // Past the kept size: read each time, and not mistaken for the last kept one.
        let padding = String(repeating: "x", count: PortkeyGateway.keptBodyBytes)
        let large = Array(#"{"pad":"\#(padding)","n":3}"#.utf8)
        #expect(gateway.clientBody(large)["n"]?.intValue == 3)
        #expect(gateway.clientBody(large)["n"]?.intValue == 3)
        #expect(gateway.clientBody(b)["n"]?.intValue == 2)
    }
}

/// A target's upstream body is made again unless the very same client body goes through
/// the same overrides (spelt the same), provider, endpoint and host.
@Suite struct SentBodyTests {
    @Test func itIsKeptOnlyForTheSameTreeAndTheSameOverrides() throws {
        let text = #"{"model":"llama3","temperature":2}"#
        let body = try JSONParser.parse(text)
        let overrides: [(String, JSONValue)] = [("temperature", 2), ("model", "llama3")]
        let sent = SentBody(source: body, overrides: overrides, provider: "ollama", endpoint: .chatComplete, host: "http://h",
                            url: "http://h/api/chat", bytes: [], changes: [])
        func made(_ b: JSONValue = body, _ o: [(String, JSONValue)] = overrides, provider: String = "ollama",
                  endpoint: GatewayEndpoint = .chatComplete, host: String = "http://h") -> Bool {
            sent.isMade(from: b, overrides: o, provider: provider, endpoint: endpoint, host: host)
        }
        let copy = body
        #expect(made(copy))
        // An equal body read apart is another tree: not matched (its bytes were not compared).
        #expect(!made(try JSONParser.parse(text)))
        // 2.0 is not 2 (the override's spelling is sent); order, count and kind count too.
        #expect(!made(body, [("temperature", .double(2)), ("model", "llama3")]))
        #expect(!made(body, [("model", "llama3"), ("temperature", 2)]))
        #expect(!made(body, [("temperature", 2)]))
        let object: [(String, JSONValue)] = [("response_format", ["type": "json_object"])]
        #expect(!SentBody(source: body, overrides: object, provider: "ollama", endpoint: .chatComplete, host: "http://h",
                          url: "", bytes: [], changes: []).isMade(from: body, overrides: object, provider: "ollama",
                                                                   endpoint: .chatComplete, host: "http://h"))
        #expect(!made(provider: "openai"))
        #expect(!made(endpoint: .complete))
        #expect(!made(host: "http://other"))
        // An empty object is never matched by its storage (empty arrays share one).
        let empty = JSONValue.object([])
        #expect(!SentBody(source: empty, overrides: [], provider: "ollama", endpoint: .chatComplete, host: "h", url: "", bytes: [],
                          changes: []).isMade(from: empty, overrides: [], provider: "ollama", endpoint: .chatComplete, host: "h"))
    }

    /// Through the gateway: the same body under a config that overrides the model otherwise
    /// reaches the provider with that model, not with the last body sent.
    @Test func theSameBodyThroughAnotherOverrideIsSentAnew() throws {
        let h = try Harness()
        func config(_ model: String) -> String {
            #"{"strategy":{"mode":"fallback"},"targets":[{"provider":"ollama","custom_host":"http://primary:11434","override_params":{"model":"\#(model)"}}]}"#
        }
        #expect(try h.send(config: config("llama3")).status == 200)
        #expect(try h.send(config: config("llama3")).status == 200)
        #expect(try h.send(config: config("mistral")).status == 404)
        #expect(try h.send(config: config("llama3")).status == 200)
        #expect(h.providers["primary"]!.journal.entries.map(\.model) == ["llama3", "llama3", "mistral", "llama3"])
    }
}

@Suite struct RoutingHeadersTests {
    /// One pass reads what ten lookups by name read: any case, the first of a name, and
    /// fields of the same length under another name left alone.
    @Test func eachHeaderIsReadAsALookupByNameWould() {
        let headers: HTTPHeaders = HTTPHeaders([
            ("Host", "h"), ("X-Portkey-Config", "{}"), ("x-portkey-config", "second"), ("X-PORTKEY-PROVIDER", "ollama"),
            ("x-portkey-metadata", "{\"a\":1}"), ("x-portkey-trace-id", "t"), ("x-portkey-something", "no"), ("x-portkey-Trace-ID", "t2"),
            ("Authorization", "Bearer k"), ("x-portkey-custom-host", "http://h:1"), ("x-portkey-request-timeout", "250"),
            ("x-portkey-strict-open-ai-compliance", "false"), ("x-lab-scenario", "s"), ("x-lab-seed", "7"), ("x-lab-seeD", "8"),
            ("Content-Length", "0"), ("x-portkey-abcdefgh", "same length as the three, none of them"),
        ])
        let r = RoutingHeaders(headers)
        for (name, read) in [("x-portkey-config", r.config), ("x-portkey-provider", r.provider), ("x-portkey-custom-host", r.customHost),
                             ("x-portkey-metadata", r.metadata), ("authorization", r.authorization),
                             ("x-portkey-strict-open-ai-compliance", r.strictCompliance), ("x-portkey-request-timeout", r.requestTimeout),
                             ("x-portkey-trace-id", r.traceID), ("x-lab-scenario", r.labScenario), ("x-lab-seed", r.labSeed)] {
            #expect(read == headers[name], "\(name)")
            #expect(read != nil, "\(name)")
        }
        let none = RoutingHeaders(["Host": "h", "x-portkey-abcdefgh": "x"])
        #expect(none.config == nil && none.provider == nil && none.metadata == nil && none.traceID == nil)
    }
}

@Suite struct OllamaProviderTests {
    let ollama = OllamaProvider()

    @Test func chatBodyAllowList() {
        let params = ParamRule.merged(
            ["model": "gpt", "messages": [["role": "developer", "content": "be brief"]], "n": 2, "user": "u", "temperature": 3.5,
             "max_completion_tokens": 50, "stream_options": ["include_usage": true], "logprobs": true, "tool_choice": "auto"],
            overrides: [("model", "llama3")])
        let body = ollama.body(.chatComplete, params: params)
        #expect(body["model"] == "llama3")
        #expect(body["messages"]?.arrayValue?.first?["role"] == "system")
        #expect(body["temperature"] == 2)
        #expect(body["max_tokens"] == 50)
        for dropped in ["n", "user", "stream_options", "logprobs", "tool_choice", "max_completion_tokens"] { #expect(body[dropped] == nil, "\(dropped)") }
        #expect(ollama.body(.chatComplete, params: ["messages": []])["max_tokens"] == 100)
        #expect(ollama.body(.chatComplete, params: ["messages": []])["model"] == "llama2")
        #expect(ollama.path(.complete) == nil && ollama.headers(apiKey: "k").isEmpty)
    }

    /// `override_params` win over the client's params and are sent as the config spells
    /// them: an equal value in another spelling (2 and 2.0, an object's keys reordered)
    /// is still replaced; the same string is kept in place.
    @Test func overridesAreSentAsTheConfigSpellsThem() {
        let client: JSONValue = ["model": "llama3", "temperature": 2, "response_format": ["type": "json_object", "strict": true], "seed": 7]
        let merged = ParamRule.merged(client, overrides: [("model", "llama3"), ("temperature", .double(1.5)), ("seed", .double(7)),
                                                          ("response_format", ["strict": true, "type": "json_object"]), ("top_p", 0.5)])
        #expect(merged.javaScriptCompact
                == #"{"model":"llama3","temperature":1.5,"response_format":{"strict":true,"type":"json_object"},"seed":7,"top_p":0.5}"#)
        if case .double = merged["seed"] {} else { Issue.record("the override's float was not sent") }
        #expect(ParamRule.merged(client, overrides: []).javaScriptCompact == client.javaScriptCompact)
    }

    @Test func errorWrapping() {
        let openAIError = ollama.response(.chatComplete, status: 404, contentType: "application/json",
                                          body: Array(#"{"error":{"message":"model 'x' not found","type":"not_found_error"}}"#.utf8), AnswerContext())
        #expect(openAIError == ["error": ["message": "ollama error: model 'x' not found", "type": "not_found_error", "param": nil, "code": nil], "provider": "ollama"])
        let native = ollama.response(.chatComplete, status: 503, contentType: nil, body: Array(#"{"error":"busy"}"#.utf8), AnswerContext())
        #expect(native?["error"]?["message"] == "ollama error: undefined")
        let html = ollama.response(.chatComplete, status: 502, contentType: "text/html", body: Array("<h1>bad</h1>".utf8), AnswerContext())
        #expect(html?["error"]?["message"] == #"Invalid response received from ollama: {"html-message":"<h1>bad</h1>"}"#)
        #expect(ollama.response(.chatComplete, status: 200, contentType: nil, body: Array("nope".utf8), AnswerContext()) == nil)
    }

    @Test func streamEventsAreReemitted() {
        var t = ollama.streamTransform(AnswerContext())
        let out = t.transform(#"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"x":1}}"#)
        #expect(out == .emit(Array((#"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","provider":"ollama","choices":[]}"# + "\n\n").utf8)))
        #expect(t.transform("data: [DONE]") == .emit(Array("data: [DONE]\n\n".utf8)))
        #expect(t.transform("data: {broken") == .fail)
        var splitter = SSESplitter()
        #expect(splitter.feed(Array("data: a\n\nda".utf8)) == ["data: a"])
        #expect(splitter.feed(Array("ta: b\n\n".utf8)) == ["data: b"])
        // Fed a byte at a time (a blank line split across reads included), the same events.
        let stream = Array("data: 1\n\n\n\ndata: 2\nid: x\n\ndata: 3\n\ntail".utf8)
        var whole = SSESplitter(), bytewise = SSESplitter()
        let expected = whole.feed(stream)
        #expect(expected == ["data: 1", "data: 2\nid: x", "data: 3"])
        #expect(stream.flatMap { bytewise.feed([$0]) } == expected)
        #expect(bytewise.feed(Array("\n\n".utf8)) == ["tail"])
    }

    @Test func retryPolicy() {
        #expect(RetryPolicy(nil).codes == [])
        #expect(RetryPolicy(.init(attempts: 2, onStatusCodes: nil, useRetryAfterHeader: false)).codes == [429, 500, 502, 503, 504])
        #expect((1...4).map(RetryPolicy.backoffMs) == [1000, 2000, 4000, 8000])
        let headers: HTTPHeaders = ["retry-after": "3", "x-ms-retry-after-ms": "250"]
        #expect(RetryPolicy.retryAfterMs { headers[$0] } == 250)
        let date: HTTPHeaders = ["retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"]
        #expect(RetryPolicy.retryAfterMs { date[$0] } == nil)
        // The upstream's figures are held far past the 60 s budget instead of overflowing
        // (a `retry-after` of 99999999999999999 seconds took the gateway down).
        for (name, value) in [("retry-after", "99999999999999999"), ("retry-after", "9223372036854775807"),
                              ("retry-after-ms", "1e400"), ("retry-after-ms", "inf"), ("x-ms-retry-after-ms", "1e19")] {
            let far = RetryPolicy.retryAfterMs { $0 == name ? value : nil }
            #expect(far != nil && far! >= 60_000, "\(name): \(value)")
            let step = RetryPolicy(.init(attempts: 2, onStatusCodes: [429], useRetryAfterHeader: true))
                .step(afterTry: 0, status: 429, networkError: false, final: false, retryAfterMs: far, budgetLeftMs: 60_000)
            #expect(step == .finish(count: -1))
        }
        #expect(RetryPolicy.retryAfterMs { $0 == "retry-after-ms" ? "nan" : nil } == nil)
        #expect(RetryPolicy.isSuccess(204) && !RetryPolicy.isSuccess(206))
    }

    @Test func retrySteps() {
        let three = RetryPolicy(.init(attempts: 3, onStatusCodes: nil, useRetryAfterHeader: false))
        let steps = (0...3).map { three.step(afterTry: $0, status: 503, networkError: false, final: false, retryAfterMs: nil, budgetLeftMs: 60_000) }
        #expect(steps == [.wait(ms: 1000, reason: "backoff", budgetLeftMs: 60_000, thenFinish: nil),
                          .wait(ms: 2000, reason: "backoff", budgetLeftMs: 60_000, thenFinish: nil),
                          .wait(ms: 4000, reason: "backoff", budgetLeftMs: 60_000, thenFinish: nil),
                          .finish(count: -1)])
        #expect(three.step(afterTry: 1, status: 200, networkError: false, final: false, retryAfterMs: nil, budgetLeftMs: 60_000) == .finish(count: 1))
        #expect(three.step(afterTry: 0, status: 400, networkError: false, final: false, retryAfterMs: nil, budgetLeftMs: 60_000) == .finish(count: 0))
        let onlyRateLimits = RetryPolicy(.init(attempts: 2, onStatusCodes: [429], useRetryAfterHeader: true))
        // Network errors are retried whatever the codes; the count is not -1 since 500 is not listed.
        #expect(onlyRateLimits.step(afterTry: 2, status: 500, networkError: true, final: false, retryAfterMs: nil, budgetLeftMs: 60_000) == .finish(count: 2))
        // Retry-After replaces the backoff, spends the budget, and is waited after the last try too.
        #expect(onlyRateLimits.step(afterTry: 0, status: 429, networkError: false, final: false, retryAfterMs: 300, budgetLeftMs: 60_000)
                == .wait(ms: 300, reason: "Retry-After", budgetLeftMs: 59_700, thenFinish: nil))
        #expect(onlyRateLimits.step(afterTry: 2, status: 429, networkError: false, final: false, retryAfterMs: 300, budgetLeftMs: 59_400)
                == .wait(ms: 300, reason: "Retry-After", budgetLeftMs: 59_100, thenFinish: -1))
        #expect(onlyRateLimits.step(afterTry: 0, status: 429, networkError: false, final: false, retryAfterMs: 60_000, budgetLeftMs: 60_000) == .finish(count: -1))
        #expect(three.step(afterTry: 0, status: 503, networkError: false, final: true, retryAfterMs: nil, budgetLeftMs: 60_000) == .finish(count: 0))
    }
}
