import Testing
import LabCore
import LabHTTP
@testable import FaultInjector

@Suite struct ScheduleTests {
    @Test func firstN() throws {
        let injector = FaultInjector(rules: rule(FirstSchedule(3), fault: StatusFault(status: 503)))
        #expect(injector.statuses(5) == [503, 503, 503, 200, 200])
    }

    @Test func nthEveryAfterAndWindow() throws {
        #expect(FaultInjector(rules: rule(NthSchedule([2, 4]), fault: StatusFault(status: 500))).statuses(5) == [200, 500, 200, 500, 200])
        #expect(FaultInjector(rules: rule(EverySchedule(3), fault: StatusFault(status: 502))).statuses(6) == [200, 200, 502, 200, 200, 502])
        #expect(FaultInjector(rules: rule(AfterSchedule(4), fault: StatusFault(status: 504))).statuses(6) == [200, 200, 200, 200, 504, 504])
        #expect(FaultInjector(rules: rule(RequestWindowSchedule(from: 2, to: 3), fault: StatusFault(status: 503))).statuses(4) == [200, 503, 503, 200])
    }

    @Test func timeWindowUsesLabTime() throws {
        let injector = FaultInjector(rules: rule(TimeWindowSchedule(fromMs: 1000, toMs: 2000), fault: StatusFault(status: 503)))
        let at = [0.0, 999, 1000, 1999, 2000].map { injector.decide(chatRequest, model: nil, nowMs: $0, script: okScript).script.status }
        #expect(at == [200, 200, 503, 503, 200])
    }

    @Test func conditionsCombine() throws {
        let injector = FaultInjector(rules: rule(AfterSchedule(1), EverySchedule(2), fault: StatusFault(status: 503)))
        #expect(injector.statuses(6) == [200, 503, 200, 503, 200, 503])
    }

    @Test func rulesAreTriedInOrderAndCountOnlyWhatReachesThem() throws {
        let injector = FaultInjector(rules: try rules(#"""
            [{"when":{"first":2},"fault":{"status":429}},
             {"when":{"first":1},"fault":{"status":500}}]
            """#))
        // Rule 2 first sees request 3, which is its first.
        #expect(injector.statuses(4) == [429, 429, 500, 200])
    }

    @Test func matchNarrowsWhichRequestsCount() throws {
        let injector = FaultInjector(rules: try rules(#"[{"match":{"path":"/v1/*","method":"post","model":"LLAMA3:latest"},"fault":{"status":503}}]"#))
        #expect(injector.decide(chatRequest, model: "llama3", nowMs: 0, script: okScript).ruleNumber == nil)
        #expect(injector.decide(openAIRequest, model: "llama3", nowMs: 0, script: okScript).ruleNumber == 1)
        #expect(injector.decide(openAIRequest, model: "qwen", nowMs: 0, script: okScript).ruleNumber == nil)
        let byHeader = FaultInjector(rules: try rules(#"[{"match":{"header":{"x-team":"blue-*"}},"fault":{"status":503}}]"#))
        var request = chatRequest
        #expect(byHeader.decide(request, model: nil, nowMs: 0, script: okScript).ruleNumber == nil)
        request.headers.add("X-Team", "blue-7")
        #expect(byHeader.decide(request, model: nil, nowMs: 0, script: okScript).ruleNumber == 1)
    }

    @Test func probabilityIsSeeded() throws {
        let list = #"[{"when":{"probability":0.5},"fault":{"status":503}}]"#
        let a = FaultInjector(rules: try rules(list), seed: 42, provider: "primary").statuses(40)
        let b = FaultInjector(rules: try rules(list), seed: 42, provider: "primary").statuses(40)
        let c = FaultInjector(rules: try rules(list), seed: 43, provider: "primary").statuses(40)
        #expect(a == b)
        #expect(a != c)
        let fired = a.filter { $0 == 503 }.count
        #expect(fired > 8 && fired < 32)
        let decision = FaultInjector(rules: try rules(list), seed: 42).decide(chatRequest, model: nil, nowMs: 0, script: okScript)
        #expect(decision.draws.count == 1)
    }

    @Test func replacingRulesResetsCountersAndDraws() throws {
        let list = #"[{"when":{"probability":0.5},"fault":{"status":503}}]"#
        let injector = FaultInjector(rules: try rules(list), seed: 1)
        let first = injector.statuses(10)
        injector.replace(try rules(list))
        #expect(injector.statuses(10) == first)
    }

    @Test func quotaAnswers429UntilTheWindowRolls() throws {
        let injector = FaultInjector(rules: try rules(#"[{"when":{"quota":{"requests":2,"per_ms":1000}}}]"#))
        func at(_ ms: Double) -> WireScript { injector.decide(chatRequest, model: nil, nowMs: ms, script: okScript).script }
        #expect(at(0).status == 200)
        #expect(at(100).status == 200)
        let limited = at(250)
        #expect(limited.status == 429)
        guard case .head(_, let headers) = limited.steps[0] else { Issue.record("no head"); return }
        #expect(headers["Retry-After"] == "1")
        #expect(headers["retry-after-ms"] == "750")
        #expect(at(1000).status == 200)
    }
}

/// `match.body`: rules that look at what the request asks.
@Suite struct BodyMatchTests {
    func fires(_ match: String, _ body: String) throws -> Bool {
        let injector = FaultInjector(rules: try rules(#"[{"match":{"body":\#(match)},"fault":{"status":400}}]"#), seed: 0)
        let request = HTTPRequest(method: "POST", target: "/v1/chat/completions", body: Array(body.utf8))
        return injector.decide(request, model: nil, nowMs: 0, script: WireScript([.end])).ruleNumber != nil
    }

    @Test func pathsGlobsRangesAndTokens() throws {
        let prefill = #"{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"Sure,"}]}"#
        let plain = #"{"model":"m","messages":[{"role":"user","content":"one two three four five"}]}"#
        // A fallback that rejects a prefill: the last message is the assistant's.
        #expect(try fires(#"{"messages[-1].role":"assistant"}"#, prefill))
        #expect(try !fires(#"{"messages[-1].role":"assistant"}"#, plain))
        #expect(try fires(#"{"messages[0].content":"one*"}"#, plain))
        // A context window of four words.
        #expect(try fires(#"{"$tokens":{"min":5}}"#, plain))
        #expect(try !fires(#"{"$tokens":{"min":5}}"#, prefill))
        #expect(try fires(#"{"model":"m","messages[5].role":{"min":1}}"#, plain) == false)
        #expect(try !fires(#"{"model":"m"}"#, "not json"))
    }
}
