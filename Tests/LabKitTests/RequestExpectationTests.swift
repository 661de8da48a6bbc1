import Testing
import Foundation
import LabCore
import LabHTTP
@testable import LabKit

/// Expectations a failover benchmark states: content tokens, time to first token,
/// usage, the waits between retries, per-request ranges and per-window rates — and
/// a model's context window. Run on the simulated clock.
@Suite struct RequestExpectationTests {
    static let conf = """
        providers:
          primary: { models: [llama3] }
          backup: { models: [llama3], context_length: 20, context_overflow: error }
        scenarios:
          - name: retry-gaps
            portkey_config: {"retry": {"attempts": 3, "on_status_codes": [503]}, "provider": "ollama", "custom_host": "http://primary:11434"}
            faults: { primary: [ { fault: { status: 503 } } ] }
            expect: { status: 503, retry_gaps_ms: [1000, 2000, 4000], hits: { primary: 4 } }
          - name: tokens
            portkey_config: {"provider": "ollama", "custom_host": "http://primary:11434"}
            request: { stream: true, max_tokens: 5, stream_options: { include_usage: true } }
            expect: { status: 200, content_tokens: 5, ttft_ms: { min: 1000, max: 1100 }, usage_present: false, stream: complete }
          - name: usage-unstreamed
            portkey_config: {"provider": "ollama", "custom_host": "http://primary:11434"}
            request: { max_tokens: 4 }
            expect: { status: 200, content_tokens: 4, usage_present: true, finish_reason: length }
          - name: stall
            portkey_config: {"provider": "ollama", "custom_host": "http://primary:11434"}
            faults: { primary: [ { fault: { stream: { cut_after_chunks: 3, then: close } } } ] }
            request: { stream: true }
            expect: { status: 200, content_tokens: 3, stream: truncated }
          - name: context
            portkey_config: {"strategy": {"mode": "fallback", "on_status_codes": [400]}, "targets": [{"provider": "ollama", "custom_host": "http://backup:11434"}, {"provider": "ollama", "custom_host": "http://primary:11434"}]}
            request: { messages: [ { role: user, content: "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty" } ] }
            expect: { status: 200, served_by: primary, hits: { backup: 1, primary: 1 } }
          - name: per-request
            portkey_config: {"strategy": {"mode": "fallback"}, "targets": [{"provider": "ollama", "custom_host": "http://primary:11434"}, {"provider": "ollama", "custom_host": "http://backup:11434"}]}
            requests: { count: 20, every_ms: 4000, window_s: 20 }
            down: { primary: { from_ms: 20000, for_ms: 20000 } }
            expect:
              requests: { 1-5: { served_by: primary }, 6-10: { served_by: backup }, 11-20: { served_by: primary, status: 200 } }
              windows: { 1: { success_rate: { min: 1 }, hits: { backup: 0 } }, 2: { hits: { backup: 5, primary: 0 } }, 3-4: { hits: { backup: 0 } } }
        """

    static func run(_ text: String = conf) throws -> [ScenarioResult] {
        let config = try LabConfigParser.parse(text, file: "lab.conf")
        let env = try LabEnvironment(config: config)
        defer { env.shutdown() }
        let runner = ScenarioRunner(env: env)
        return config.scenarios.map(runner.run)
    }

    @Test func everyExpectationHolds() throws {
        let results = try Self.run()
        #expect(results.count == 6)
        for r in results {
            #expect(!r.verdicts.isEmpty)
            for v in r.verdicts where !v.passed { Issue.record("\(r.scenario.name): \(v.name) expected \(v.expected), got \(v.actual)") }
        }
    }

    @Test func theMeasuredFieldsAreWhatTheClientSaw() throws {
        let results = try Self.run()
        let streamed = results[1].requests[0]
        // The model's first token at 1000 ms, and the gateway holds its first chunk 25 ms.
        #expect(streamed.ttftMs == 1025)
        #expect(streamed.contentTokens == 5 && streamed.finishReason == "length")
        #expect(results[2].requests[0].ttftMs == nil)
        #expect(results[3].requests[0].contentTokens == 3 && !results[3].requests[0].succeeded)
        #expect(results[0].visits.count == 4 && results[0].visits.allSatisfy { $0.status == 503 })
    }

    @Test func wrongExpectationsFailWithWhatHappened() throws {
        let text = Self.conf
            .replacingOccurrences(of: "retry_gaps_ms: [1000, 2000, 4000]", with: "retry_gaps_ms: { gaps: [1000, 1000, 1000], tolerance_ms: 10, provider: primary }")
            .replacingOccurrences(of: "content_tokens: 5, ttft_ms: { min: 1000, max: 1100 }", with: "content_tokens: { min: 6 }, ttft_ms: { max: 500 }")
            .replacingOccurrences(of: "6-10: { served_by: backup }", with: "6-11: { served_by: backup }")
            .replacingOccurrences(of: "2: { hits: { backup: 5, primary: 0 } }", with: "2: { hits: { backup: 4 } }")
        let results = try Self.run(text)
        func failed(_ r: ScenarioResult) -> [String: String] {
            Dictionary(uniqueKeysWithValues: r.verdicts.filter { !$0.passed }.map { ($0.name, $0.actual) })
        }
        #expect(failed(results[0]) == ["retry_gaps_ms.primary": "1000, 2000, 4000 ms"])
        #expect(failed(results[1]) == ["content_tokens": "5", "ttft_ms": "1025 ms"])
        #expect(failed(results[5]) == ["requests[6-11].served_by": "1 of 6 differ; request 11 got primary", "windows[2].hits.backup": "5"])
    }

    @Test func rangesAndKeysAreCheckedWhenTheFileIsRead() {
        let base = """
            providers: { primary: { models: [llama3] } }
            scenarios:
              - name: s
                portkey_config: {"provider": "ollama", "custom_host": "http://primary:11434"}
                repeat: 3

            """
        func error(_ expect: String) -> String {
            do {
                _ = try LabConfigParser.parse(base + "    expect: " + expect + "\n", file: "lab.conf")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(error("{ requests: { 2-4: { status: 200 } } }").contains("lab.conf:6: scenarios[0].expect.requests.2-4: the scenario has 3 requests"))
        #expect(error("{ requests: { 3-1: { status: 200 } } }").contains("expected a request number or a range like 1-15"))
        #expect(error("{ requests: { 1: { hits: { primary: 1 } } } }").contains("scenarios[0].expect.requests.1.hits: unknown key"))
        #expect(error("{ windows: { 1: { success_rate: { min: 1 } } } }").contains("only a scenario with load or a requests schedule has windows"))
        #expect(error("{ retry_gaps_ms: [1000, -1] }").contains("scenarios[0].expect.retry_gaps_ms[1]: expected milliseconds"))
        #expect(error("{ ttft_ms: { most: 3 } }").contains("scenarios[0].expect.ttft_ms.most: unknown key"))
        #expect(error("{ usage_present: maybe }").contains("expected true or false"))
        #expect(error("{ content_json: yes please }").contains("scenarios[0].expect.content_json: expected true or false"))
        #expect(error("{ requests: { 1-3: { served_by: primary } }, content_tokens: { min: 1, max: 9 } }") == "no error")
    }

    @Test func contextLengthIsReadPerProviderOrPerModel() throws {
        let config = try LabConfigParser.parse("""
            providers:
              a: { models: [llama3, qwen2], context_length: 64 }
              b: { models: [llama3, qwen2], context_length: { qwen2: 32 }, context_overflow: error }
            scenarios: []
            """, file: "lab.conf")
        #expect(config.providers[0].contextLengths == ["llama3:latest": 64, "qwen2:latest": 64])
        #expect(config.providers[1].contextLengths == ["qwen2:latest": 32] && config.providers[1].contextOverflow == .error)
        #expect(throws: ConfigError.self) {
            try LabConfigParser.parse("providers: { a: { models: [llama3], context_overflow: drop } }\nscenarios: []\n", file: "lab.conf")
        }
    }
}

/// Reading an answer's bytes as a client would. Pure.
@Suite struct AnswerReadingTests {
    static func event(_ json: String) -> String { "data: \(json)\n\n" }

    @Test func aStreamIsCompleteTruncatedOrUnterminated() {
        let tokens = Self.event(#"{"choices":[{"delta":{"role":"assistant","content":"Pa"},"finish_reason":null}]}"#)
            + Self.event(#"{"choices":[{"delta":{"content":"ris"},"finish_reason":null}]}"#)
        let end = Self.event(#"{"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"completion_tokens":2}}"#)
        let whole = AnswerReading.read(Array((tokens + end + "data: [DONE]\n\n").utf8), stream: true, succeeded: true)
        #expect(whole.streamShape == "complete" && whole.finishReason == "stop" && whole.contentTokens == 2 && whole.usagePresent)
        #expect(AnswerReading.read(Array((tokens + end).utf8), stream: true, succeeded: true).streamShape == "missing_terminator")
        let cut = AnswerReading.read(Array((tokens + "data: {\"choi").utf8), stream: true, succeeded: true)
        #expect(cut.streamShape == "truncated" && cut.contentTokens == 2 && cut.finishReason == nil)
    }

    @Test func theFirstTokenIsTimedByTheBytesThatCarriedIt() {
        let role = Self.event(#"{"choices":[{"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#)
        let token = Self.event(#"{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}"#)
        let body = Array((role + token).utf8)
        let reading = AnswerReading.read(body, stream: true, succeeded: true)
        #expect(reading.firstTokenEndOffset == body.count)
        let pieces: [(end: Int, atMs: Double)] = [(role.utf8.count, 100), (body.count - 3, 400), (body.count, 900)]
        #expect(AnswerReading.arrivalMs(ofOffset: reading.firstTokenEndOffset!, in: pieces) == 900)
    }

    @Test func anUnstreamedAnswerCountsItsUsage() {
        let body = #"{"choices":[{"message":{"content":"Paris."},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":2}}"#
        let r = AnswerReading.read(Array(body.utf8), stream: false, succeeded: true)
        #expect(r.contentTokens == 2 && r.usagePresent && r.finishReason == "stop" && r.streamShape == nil)
        // An error answer to a streamed request is read as the JSON it is.
        let error = AnswerReading.read(Array(#"{"error":{"message":"x"}}"#.utf8), stream: true, succeeded: false)
        #expect(error.streamShape == nil && error.contentTokens == nil && !error.usagePresent)
    }

    /// Structured output: the content parses as JSON, whole or joined from a stream's events.
    @Test func contentIsReadAsJSONAsAClientAskingForStructuredOutputReadsIt() {
        func whole(_ content: String) -> Bool? {
            let body = JSONValue.object([("choices", [["message": ["content": .string(content)], "finish_reason": "stop"]])]).compact
            return AnswerReading.read(Array(body.utf8), stream: false, succeeded: true).contentIsJSON
        }
        #expect(whole(#"{"severity":"high"}"#) == true)
        #expect(whole("Severity: high.") == false)
        #expect(whole(#"{"severity":"#) == false)
        let pieces = [#"{\"severity\""#, #":\"high\"}"#].map { Self.event(#"{"choices":[{"delta":{"content":"\#($0)"},"finish_reason":null}]}"#) }.joined()
        let end = Self.event(#"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#) + "data: [DONE]\n\n"
        #expect(AnswerReading.read(Array((pieces + end).utf8), stream: true, succeeded: true).contentIsJSON == true)
        #expect(AnswerReading.read(Array((Self.event(#"{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}"#) + end).utf8), stream: true, succeeded: true).contentIsJSON == false)
        // An error has no content: it is neither.
        #expect(AnswerReading.read(Array(#"{"error":{"message":"x"}}"#.utf8), stream: false, succeeded: false).contentIsJSON == nil)
        #expect(AnswerReading.read(Array(end.utf8), stream: true, succeeded: true).contentIsJSON == nil)
    }
}
