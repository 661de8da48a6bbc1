import Testing
import LabCore
import LabHTTP
@testable import FaultInjector

@Suite struct FaultTransformTests {
    func apply(_ fault: String, to script: WireScript = streamScript, request: HTTPRequest = chatRequest, seed: UInt64 = 0) throws -> WireScript {
        let injector = FaultInjector(rules: try rules("[{\"fault\":\(fault)}]"), seed: seed)
        return injector.decide(request, model: nil, nowMs: 0, script: script).script
    }

    func body(_ script: WireScript) -> String {
        script.steps.reduce(into: "") { text, step in if case .body(let b) = step { text += String(decoding: b, as: UTF8.self) } }
    }

    func head(_ script: WireScript) -> HTTPHeaders? {
        for step in script.steps { if case .head(_, let h) = step { return h } }
        return nil
    }

    @Test func statusWithProviderShapedBodies() throws {
        let native = try apply(#"{"status":503}"#)
        #expect(native.status == 503)
        #expect(try JSONParser.parse(body(native))["error"]?.stringValue?.hasPrefix("server busy") == true)
        #expect(head(native)?["Content-Type"] == "application/json; charset=utf-8")
        let openAI = try apply(#"{"status":429,"retry_after":3,"retry_after_ms":2500}"#, request: openAIRequest)
        let err = try JSONParser.parse(body(openAI))["error"]
        #expect(err?["type"] == "api_error" && err?["param"] == .null)
        #expect(head(openAI)?["Retry-After"] == "3" && head(openAI)?["retry-after-ms"] == "2500")
        let custom = try apply(#"{"status":500,"headers":{"x-why":"test"},"body":"boom"}"#)
        #expect(body(custom) == "boom" && head(custom)?["x-why"] == "test")
        #expect(head(custom)?["Content-Length"] == "4")
        let object = try apply(#"{"status":400,"body":{"error":{"message":"nope"}}}"#)
        #expect(body(object) == #"{"error":{"message":"nope"}}"# && head(object)?["Content-Type"] == "application/json")
    }

    /// A non-streamed reply is one body with a Content-Length: what each stream fault does to it.
    @Test func streamFaultsOnANonStreamedReply() throws {
        let whole = WireScript([.wait(ms: 900)] + WireScript.respond(status: 200, headers: ["Content-Type": "application/json"],
                                                                    body: Array(#"{"message":{"content":"hi"},"done":true}"#.utf8)).steps)
        // The generation fails: Ollama's 500, after the time the model ran.
        let failed = try apply(#"{"stream":{"error_after_chunks":2,"message":"model runner crashed"}}"#, to: whole)
        #expect(failed.status == 500 && failed.steps.first == .wait(ms: 900))
        #expect(body(failed) == #"{"error":"model runner crashed"}"#)
        let failedV1 = try apply(#"{"stream":{"error_after_chunks":2}}"#, to: whole, request: openAIRequest)
        #expect(try JSONParser.parse(body(failedV1))["error"]?["type"] == "api_error")
        // Nothing to drop: sent whole.
        #expect(try apply(#"{"stream":{"drop_done":true}}"#, to: whole) == whole)
        // Chunk 1 is the whole body.
        let broken = try apply(#"{"stream":{"malformed_chunk":1}}"#, to: whole)
        #expect(broken.status == 200 && body(broken) == #"{"model": "# && head(broken)?["Content-Length"] == "10")
        #expect(try apply(#"{"stream":{"malformed_chunk":2}}"#, to: whole) == whole)
    }

    @Test func delays() throws {
        #expect(try apply(#"{"delay_ms":300}"#).steps.first == .wait(ms: 300))
        let combined = try apply(#"{"delay_ms":300,"status":503}"#)
        #expect(combined.steps.first == .wait(ms: 300) && combined.status == 503)
        for seed in 0..<20 as Range<UInt64> {
            guard case .wait(let ms) = try apply(#"{"delay":{"uniform":[100,200]}}"#, seed: seed).steps.first else { Issue.record("no wait"); continue }
            #expect((100...200).contains(ms))
        }
        let a = try apply(#"{"delay":{"lognormal":{"median_ms":200,"sigma":0.5}}}"#, seed: 5)
        #expect(a == (try apply(#"{"delay":{"lognormal":{"median_ms":200,"sigma":0.5}}}"#, seed: 5)))
        // A wide sigma's tail draws past what an Int holds: held at the longest lab wait.
        for seed in 0..<20 as Range<UInt64> {
            guard case .wait(let ms) = try apply(#"{"delay":{"lognormal":{"median_ms":200,"sigma":1000}}}"#, seed: seed).steps.first else { continue }
            #expect(ms <= ConfigReader.maxMs)
        }
    }

    @Test func hangs() throws {
        #expect(try apply(#"{"hang":true}"#).steps == [.hang])
        let after = try apply(#"{"hang":"after_headers"}"#).steps
        #expect(after.count == 2 && after.last == .hang)
    }

    @Test func connectionFaults() throws {
        #expect(try apply(#"{"reset":"before_headers"}"#).steps == [.reset])
        #expect(try apply(#"{"close":"before_headers"}"#).steps == [.close])
        let afterHead = try apply(#"{"reset":"after_headers"}"#).steps
        #expect(afterHead.count == 2 && afterHead.last == .reset)
        let bytes = try apply(#"{"close":{"after_bytes":10}}"#)
        #expect(body(bytes).utf8.count == 10 && bytes.steps.last == .close)
        let chunks = try apply(#"{"reset":{"after_chunks":2}}"#)
        #expect(chunks.steps.filter { if case .body = $0 { return true } else { return false } }.count == 2)
        #expect(!chunks.steps.contains(.end))
    }

    @Test func streamFaults() throws {
        let cut = try apply(#"{"stream":{"cut_after_chunks":2,"then":"close"}}"#)
        #expect(body(cut).split(separator: "\n").count == 2 && cut.steps.last == .close)
        #expect(try apply(#"{"stream":{"cut_after_chunks":1,"then":"stall"}}"#).steps.last == .hang)
        let malformed = try apply(#"{"stream":{"malformed_chunk":3}}"#)
        let lines = body(malformed).split(separator: "\n").map(String.init)
        #expect(lines[2] == #"{"model": "#)
        #expect((try? JSONParser.parse(lines[2])) == nil)
        let noDone = try apply(#"{"stream":{"drop_done":true}}"#)
        #expect(!body(noDone).contains("\"done\":true") && noDone.steps.last == .end)
        let error = try apply(#"{"stream":{"error_after_chunks":2,"message":"runner crashed"}}"#)
        #expect(body(error).hasSuffix("{\"error\":\"runner crashed\"}\n") && error.status == 200)
        let sse = WireScript([.head(status: 200, headers: [:]), .body(Array("data: {\"a\":1}\n\n".utf8)), .body(Array("data: [DONE]\n\n".utf8)), .end])
        let sseError = try apply(#"{"stream":{"error_after_chunks":1}}"#, to: sse, request: openAIRequest)
        #expect(body(sseError).contains("data: {\"error\":{") && !body(sseError).contains("[DONE]"))
        let sseMalformed = try apply(#"{"stream":{"malformed_chunk":1}}"#, to: sse, request: openAIRequest)
        #expect(body(sseMalformed).hasPrefix("data: {\"model\": \n\n"))
    }

    /// A stream made as it is sent, counting the chunks made: what a fault's filters read.
    final class CountedStream {
        var made = 0
        var script: WireScript {
            WireScript([.wait(ms: 30), .head(status: 200, headers: ["Content-Type": "application/x-ndjson"]),
                        .deferred(DeferredSteps(count: 200) { [self] i in
                            made += 1
                            return [.wait(ms: 10), .body(Array(#"{"message":{"content":"t\#(i)"},"done":false}\#n"#.utf8))]
                        }), .body(Array(#"{"done":true}\#n"#.utf8)), .end])
        }
    }

    static let everyKind = [
        #"{"status":503}"#, #"{"hang":"after_headers"}"#, #"{"reset":{"after_bytes":120}}"#, #"{"close":{"after_chunks":2}}"#,
        #"{"delay":{"uniform":[10,500]}}"#, #"{"stream":{"cut_after_chunks":3,"then":"stall"}}"#, #"{"stream":{"malformed_chunk":4}}"#,
        #"{"stream":{"insert_malformed_after":300}}"#, #"{"stream":{"drop_done":true}}"#, #"{"stream":{"error_after_chunks":5}}"#,
        #"{"pacing":{"first_token_after_ms":700,"token_ms":5,"stall_after_tokens":3,"stall_ms":900}}"#, #"{"slow":{"bytes_per_second":3000}}"#,
        #"{"stream":{"cut_after_chunks":150},"pacing":{"token_ms":20},"delay_ms":5,"slow":{"bytes_per_second":100000}}"#,
    ]

    /// Faults take a stream's chunks as they are sent and give what applying them to the
    /// whole stream gives, step for step, on every reading; nothing is made when the rule fires.
    @Test(arguments: everyKind)
    func aStreamIsFaultedPieceByPiece(fault: String) throws {
        let stream = CountedStream()
        let injector = FaultInjector(rules: try rules("[{\"fault\":\(fault)}]"), seed: 3)
        let lazy = injector.decide(chatRequest, model: nil, nowMs: 0, script: stream.script)
        #expect(stream.made == 0)
        let first = lazy.script.materialized.steps
        #expect(lazy.script.materialized.steps == first)
        var context = FaultContext(request: chatRequest, random: SeededRandom(seed: 3, key: "faults\u{1}"))
        let whole = try rules("[{\"fault\":\(fault)}]")[0].faults.reduce(stream.script.materialized) { $1.apply(to: $0, &context) }
        #expect(first == whole.steps)
        #expect(lazy.draws == context.draws)
    }

    /// A cut stops the stream being made; a replaced reply never makes it.
    @Test func chunksPastACutAreNeverMade() throws {
        for (fault, made) in [(#"{"stream":{"cut_after_chunks":3}}"#, 3), (#"{"close":{"after_chunks":1}}"#, 1), (#"{"status":503}"#, 0),
                              (#"{"hang":"after_headers"}"#, 0), (#"{"stream":{"drop_done":true}}"#, 200)] {
            let stream = CountedStream()
            let injector = FaultInjector(rules: try rules("[{\"fault\":\(fault)}]"), seed: 3)
            _ = injector.decide(chatRequest, model: nil, nowMs: 0, script: stream.script).script.materialized
            #expect(stream.made == made, "\(fault)")
        }
    }

    /// A lazily faulted stream still says its status, making no more than it must to know it.
    @Test func aFaultedStreamSaysItsStatus() throws {
        for (fault, status) in [(#"{"stream":{"cut_after_chunks":3}}"#, 200), (#"{"status":503}"#, 503), (#"{"hang":true}"#, nil)] as [(String, Int?)] {
            let stream = CountedStream()
            let injector = FaultInjector(rules: try rules("[{\"fault\":\(fault)}]"), seed: 3)
            #expect(injector.decide(chatRequest, model: nil, nowMs: 0, script: stream.script).script.status == status, "\(fault)")
            #expect(stream.made <= 1, "\(fault)")
        }
    }

    @Test func pacingRetimesTheStream() throws {
        let paced = try apply(#"{"pacing":{"ttft_ms":1000,"token_ms":50,"stall_after_tokens":2,"stall_ms":5000}}"#)
        #expect(paced.steps.first == .wait(ms: 1000))
        #expect(paced.totalWaitMs == 1000 + 5 * 50 + 5000)
    }

    @Test func slowTricklesTheBody() throws {
        let slow = try apply(#"{"slow":{"bytes_per_second":100}}"#, to: okScript)
        #expect(body(slow) == #"{"ok":true}"#)
        #expect(slow.totalWaitMs == 10 * (11 - 1))
    }
}

@Suite struct RuleParserTests {
    @Test(arguments: [
        (#"{"a":1}"#, "fault rules must be a list (JSON array), got object"),
        (#"[{"fault":{"status":"x"}}]"#, #"rule 1: fault.status: expected a whole number, got "x""#),
        (#"[{"name":"n","when":{"first":-1},"fault":{"status":503}}]"#, #"rule 1 ("n"): when.first: expected at least 0, got -1"#),
        (#"[{"fault":{"status":503}},{"when":{"sometimes":1},"fault":{"status":503}}]"#, "rule 2: when.sometimes: unknown schedule (when takes after, every, first, nth, probability, quota, requests, time)"),
        (#"[{"fault":{"explode":true}}]"#, "rule 1: fault.explode: unknown fault (one of body, close, delay, delay_ms, hang, headers, pacing, reset, retry_after, retry_after_ms, slow, status, stream)"),
        (#"[{"when":{"first":1}}]"#, "rule 1: fault: required: one or more of body, close, delay, delay_ms, hang, headers, pacing, reset, retry_after, retry_after_ms, slow, status, stream"),
        (#"[{"fault":{"reset":"later"}}]"#, #"rule 1: fault.reset: expected "before_headers", "after_headers", {after_bytes: N} or {after_chunks: N}"#),
        (#"[{"when":{"probability":2},"fault":{"status":503}}]"#, "rule 1: when.probability: expected a number from 0 to 1, got 2"),
        (#"[{"fault":{"retry_after":2}}]"#, "rule 1: fault.retry_after: only applies with fault.status"),
        (#"[{"match":{"url":"/x"},"fault":{"status":503}}]"#, "rule 1: match.url: unknown key (match takes path, method, model, header, body)"),
        (#"[{"fault":{"status":503},"extra":1}]"#, "rule 1: extra: unknown key (a rule has name, match, when and fault)"),
        // Lab times past ten years overflowed the lab's clock and dates; they are refused.
        (#"[{"fault":{"delay_ms":9223372036854775807}}]"#, "rule 1: fault.delay_ms: expected at most 315360000000 (ten years of milliseconds), got 9223372036854775807"),
        (#"[{"fault":{"delay":{"uniform":[0,1e300]}}}]"#, "rule 1: fault.delay.uniform[1]: expected a whole number, got 1e+300"),
        (#"[{"fault":{"status":429,"retry_after":315360001}}]"#, "rule 1: fault.retry_after: expected at most 315360000 (ten years of seconds), got 315360001"),
        (#"[{"when":{"time":{"from_s":0,"to_s":9223372036854775807}},"fault":{"status":503}}]"#, "rule 1: when.time.to_s: expected at most 315360000 (ten years of seconds), got 9223372036854775807"),
        (#"[{"fault":{"pacing":{"ttft_ms":315360000001}}}]"#, "rule 1: fault.pacing.ttft_ms: expected at most 315360000000 (ten years of milliseconds), got 315360000001"),
        (#"[{"fault":{"status":1000}}]"#, "rule 1: fault.status: expected an HTTP status from 100 to 599, got 1000"),
    ])
    func errorsNameTheRuleAndTheField(input: String, message: String) throws {
        let value = try JSONParser.parse(input)
        do {
            _ = try FaultRuleParser.parse(value)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func sourceIsKeptForTheControlAPI() throws {
        let text = #"[{"name":"x","when":{"first":1},"fault":{"status":503}}]"#
        let parsed = try rules(text)
        #expect(JSONValue.array(parsed.map(\.source)).compact == text)
    }
}
