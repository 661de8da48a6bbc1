import Testing
import LabCore
import LabHTTP
@testable import Gateway

/// The reference's checklist against mock providers with faults, over loopback.
@Suite struct FallbackAndRetryTests {
    @Test func fallsBackOn503() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":503}}]"#])
        let a = try h.send(config: fallback([target("primary"), target("backup")]))
        #expect(a.status == 200 && a.index == "config.targets[1]" && a.retries == "0")
        #expect(h.hits("primary") == 1 && h.hits("backup") == 1)
        #expect(a.json["provider"] == "ollama")
        #expect(a.headers["x-portkey-provider"] == "ollama" && a.headers["x-portkey-cache-status"] == "DISABLED")
        #expect(a.headers["x-portkey-trace-id"] == "")
        #expect(a.headers["Content-Length"] == nil)
    }

    /// Configs are read once and kept (the last one compared first): requests that switch
    /// between configs, and between a config and a provider header, each go where their own
    /// headers say.
    @Test func eachRequestIsRoutedByItsOwnConfig() throws {
        let h = try Harness()
        let toPrimary = target("primary"), toBackup = fallback([target("backup")])
        for (config, expected) in [(toPrimary, "primary"), (toPrimary, "primary"), (toBackup, "backup"), (toPrimary, "primary"),
                                   (toBackup, "backup"), (toBackup, "backup")] {
            let before = (h.hits("primary"), h.hits("backup"))
            #expect(try h.send(config: config).status == 200)
            #expect((h.hits("primary") - before.0, h.hits("backup") - before.1) == (expected == "primary" ? (1, 0) : (0, 1)))
        }
        // The same config with a provider header beside it is another intake: refused here.
        let a = try h.send(config: toPrimary, headers: ["x-portkey-provider": "not-a-provider"])
        #expect(a.status == 400)
        #expect(try h.send(config: toPrimary).status == 200)
    }

    @Test func onStatusCodesThatDoNotMatchReturnAtOnce() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":500}}]"#])
        let a = try h.send(config: fallback([target("primary"), target("backup")], #""on_status_codes":[429]"#))
        #expect(a.status == 500 && a.index == "config.targets[0]")
        #expect(h.hits("backup") == 0)
        #expect(a.json["error"]?["message"]?.stringValue?.hasPrefix("ollama error: ") == true)
    }

    @Test func allFailingReturnsTheLastTargetsAnswer() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":500}}]"#, "backup": #"[{"fault":{"status":503}}]"#])
        let a = try h.send(config: fallback([target("primary"), target("backup")]))
        #expect(a.status == 503 && a.index == "config.targets[1]")
    }

    @Test func retriesWithExponentialBackoffAndTheMinusOneCount() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":503}}]"#])
        let a = try h.send(config: target("primary", #""retry":{"attempts":3}"#))
        #expect(a.status == 503 && a.retries == "-1" && a.index == "config")
        #expect(h.hits("primary") == 4)
        let entry = try #require(h.gateway.journal.entries.last)
        #expect(entry.waits.map(\.ms) == [1000, 2000, 4000])
        #expect(abs(a.labMs - 7000) < 7000 * 0.05 + 300)
    }

    @Test func retrySucceedsAndCountsRetries() throws {
        let h = try Harness(faults: ["primary": #"[{"when":{"first":2},"fault":{"status":429}}]"#])
        let a = try h.send(config: target("primary", #""retry":{"attempts":3}"#))
        #expect(a.status == 200 && a.retries == "2" && h.hits("primary") == 3)
    }

    @Test func nonRetryableStatusIsReturnedUnchanged() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":400,"body":{"error":{"message":"bad","type":"invalid_request_error"}}}}]"#])
        let a = try h.send(config: target("primary", #""retry":{"attempts":3}"#))
        #expect(a.status == 400 && a.retries == "0" && h.hits("primary") == 1)
        #expect(a.json["error"]?["message"] == "ollama error: bad")
        #expect(a.json["error"]?["type"] == "invalid_request_error")
        // The journal keeps the message it passed on, through its JSON form too.
        let entry = try #require(h.gateway.journal.entries.last)
        #expect(entry.attempts.map(\.error) == ["ollama error: bad"])
        #expect(GatewayJournalEntry(json: entry.json, shiftMs: 0)?.attempts.map(\.error) == ["ollama error: bad"])
        #expect(entry.attempts.map(\.changes) == [[]] && entry.json["attempts"]?.arrayValue?.first?["changes"] == nil)
    }

    /// The journal says what each target's translation did to the params, and keeps it
    /// through its JSON (what `lab run --gateway` reads back from a lab gateway).
    @Test func theJournalSaysWhatTheTranslationDidToTheParams() throws {
        let h = try Harness()
        let body = #"{"model":"llama3","n":2,"logprobs":true,"temperature":3,"messages":[{"role":"user","content":"hi"}]}"#
        _ = try h.send(config: target("primary"), body: body)
        let entry = try #require(h.gateway.journal.entries.last)
        #expect(entry.attempts.map(\.changes) == [["not passed on: n, logprobs", "temperature 3 → 2"]])
        #expect(GatewayJournalEntry(json: entry.json, shiftMs: 0)?.attempts.map(\.changes) == [["not passed on: n, logprobs", "temperature 3 → 2"]])
    }

    @Test func networkErrorsAreAlwaysRetried() throws {
        let h = try Harness()
        let a = try h.send(config: target("dead", #""retry":{"attempts":2,"on_status_codes":[429]}"#))
        #expect(a.status == 500 && a.retries == "2")
        let entry = try #require(h.gateway.journal.entries.last)
        #expect(entry.attempts.count == 3 && entry.attempts.allSatisfy { $0.outcome == .network("refused") })
        let message = a.json["error"]?["message"]?.stringValue ?? ""
        #expect(message == #"Invalid response received from ollama: {"html-message":"Message: fetch failed Cause: Error: connect ECONNREFUSED 127.0.0.1:\#(h.deadPort) Name: TypeError"}"#)
        #expect(a.json["provider"] == "ollama" && a.json["error"]?["type"] == .null)
        let withDefaults = try h.send(config: target("dead", #""retry":{"attempts":1}"#))
        #expect(withDefaults.retries == "-1")
    }

    @Test func retryAfterReplacesBackoffAndWaitsAfterTheLastTry() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":429,"retry_after_ms":300}}]"#])
        let a = try h.send(config: target("primary", #""retry":{"attempts":2,"use_retry_after_header":true}"#))
        #expect(a.status == 429 && a.retries == "-1" && h.hits("primary") == 3)
        #expect(h.gateway.journal.entries.last?.waits.map(\.ms) == [300, 300, 300])
        #expect(abs(a.labMs - 900) < 300)
    }

    @Test func retryAfterOverTheBudgetStopsRetrying() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":429,"retry_after":60}}]"#])
        let a = try h.send(config: target("primary", #""retry":{"attempts":3,"use_retry_after_header":true}"#))
        #expect(a.status == 429 && a.retries == "-1" && h.hits("primary") == 1)
    }

    @Test func requestTimeoutGives408AndFallsBack() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"hang":true}}]"#])
        let alone = try h.send(config: target("primary", #""request_timeout":500"#))
        #expect(alone.status == 408)
        #expect(alone.json == ["error": ["message": "Request exceeded the timeout sent in the request: 500ms", "type": "timeout_error", "param": nil, "code": nil]])
        #expect(abs(alone.labMs - 500) < 200)
        let a = try h.send(config: fallback([target("primary", #""request_timeout":500"#), target("backup")]))
        #expect(a.status == 200 && a.index == "config.targets[1]")
        let listed = try h.send(config: fallback([target("primary", #""request_timeout":500"#), target("backup")], #""on_status_codes":[503]"#))
        #expect(listed.status == 408 && listed.index == "config.targets[0]")
    }

    @Test func requestTimeoutDoesNotCoverAStartedStream() throws {
        // Headers come with the first token at once; the eight tokens take 2.1 s, far past the 1 s timeout.
        let h = try Harness(faults: ["primary": #"[{"fault":{"pacing":{"token_ms":300}}}]"#])
        let body = #"{"model":"llama3","stream":true,"max_tokens":8,"messages":[{"role":"user","content":"hi"}]}"#
        let a = try h.send(config: target("primary", #""request_timeout":1000"#), body: body)
        #expect(a.status == 200 && a.text.hasSuffix("data: [DONE]\n\n"))
    }

    /// As the real gateway answers (1.15.2): the text is wrapped, the 200 kept, nothing falls back.
    @Test func aTextBodyUnder200IsAnErrorInsideA200() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":200,"headers":{"Content-Type":"text/plain"},"body":"<html>maintenance</html>"}}]"#])
        let a = try h.send(config: fallback([target("primary"), target("backup")]))
        #expect(a.status == 200)
        #expect(a.text == #"{"error":{"message":"Invalid response received from ollama: {\"html-message\":\"<html>maintenance</html>\"}","type":null,"param":null,"code":null},"provider":"ollama"}"#)
        #expect(a.headers["Content-Type"] == "application/json")
        #expect(a.index == "config.targets[0]" && a.retries == "0")
        #expect(a.headers["x-portkey-gateway-exception"] == nil)
        #expect(h.hits("backup") == 0)
    }

    @Test func aJSONContentTypeWithABodyThatIsNotJSONIsAGatewayException() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":200,"headers":{"Content-Type":"application/json"},"body":"<html>maintenance</html>"}}]"#])
        let a = try h.send(config: fallback([target("primary"), target("backup")]))
        #expect(a.status == 500 && a.json == ["status": "failure", "message": "Something went wrong"])
        #expect(a.headers["x-portkey-gateway-exception"] == "true" && a.index == nil)
        #expect(h.hits("backup") == 0)
    }

    @Test func aCutStreamReachesTheClientAsATruncated200() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"stream":{"cut_after_chunks":2,"then":"close"}}}]"#])
        let body = #"{"model":"llama3","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
        let a = try h.send(config: fallback([target("primary"), target("backup")]), body: body)
        #expect(a.status == 200 && a.error == nil)
        #expect(a.text.components(separatedBy: "\n\n").filter { $0.hasPrefix("data: {") }.count == 2)
        #expect(!a.text.contains("[DONE]"))
        #expect(h.hits("backup") == 0)
        #expect(h.gateway.journal.entries.last?.truncated == true)
    }

    @Test func headerOverridesBeatTheConfig() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":503}}]"#])
        var headers: HTTPHeaders = ["x-portkey-custom-host": "http://backup:11434", "x-portkey-trace-id": "abc"]
        let a = try h.send(config: fallback([target("primary"), target("third")]), headers: headers)
        #expect(a.status == 200 && a.index == "config.targets[0]" && h.hits("backup") == 1 && h.hits("primary") == 0)
        #expect(a.headers["x-portkey-trace-id"] == "abc")
        headers = ["x-portkey-request-timeout": "200"]
        let h2 = try Harness(faults: ["primary": #"[{"fault":{"hang":true}}]"#])
        let timed = try h2.send(config: target("primary", #""request_timeout":100000"#), headers: headers)
        #expect(timed.status == 408 && timed.json["error"]?["message"] == "Request exceeded the timeout sent in the request: 200ms")
    }

    @Test func providerHeadersWithoutConfig() throws {
        let h = try Harness()
        let a = try h.send(config: nil, headers: ["x-portkey-provider": "ollama", "x-portkey-custom-host": "http://primary:11434"])
        #expect(a.status == 200 && a.index == "config")
    }

    @Test func completionsAreNotSupportedByOllama() throws {
        let h = try Harness()
        let a = try h.send(config: fallback([target("primary"), target("backup")]), body: #"{"model":"llama3","prompt":"hi"}"#, path: "/v1/completions")
        #expect(a.status == 500 && a.json["message"] == "complete is not supported by ollama")
        #expect(a.headers["x-portkey-gateway-exception"] == "true")
        #expect(h.hits("primary") == 0 && h.hits("backup") == 0)
    }

    @Test func embeddingsGoToTheLegacyEndpoint() throws {
        let h = try Harness()
        let a = try h.send(config: target("primary"), body: #"{"input":"hello","model":"llama3"}"#, path: "/v1/embeddings")
        #expect(a.status == 200)
        #expect(a.json["usage"] == ["prompt_tokens": -1, "total_tokens": -1])
        #expect(a.json["data"]?.arrayValue?.first?["embedding"]?.arrayValue?.count == 4096)
        #expect(h.providers["primary"]!.journal.entries.first?.path == "/api/embeddings")
    }
}
