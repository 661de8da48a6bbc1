import Testing
import LabCore
@testable import LabKit

/// `lab explain` tells the simulated run of the real gateway code, and what that code
/// would have needed without the route's timeout.
@Suite(.serialized) struct ExplainTests {
    /// A scenario told: of the default lab, or of the lab file `in`.
    func explain(_ name: String, in file: String? = nil) throws -> (ScenarioResult, String) {
        let config = try LabConfigParser.load(file.map(repositoryFile) ?? defaultLabConf)
        let (result, lines) = try Explanation.simulate(try #require(config.scenario(name)), config: config)
        return (result, lines.joined(separator: "\n"))
    }

    @Test func retriesPastTheEdgeSayWhatTheGatewayWouldHaveNeeded() throws {
        let (result, text) = try explain("retries-past-the-edge")
        // 1+2+4+8+16 s of backoff, a sixth 503, then the backup's 1.06 s answer.
        #expect(text.contains("⇒ the gateway needs 32.1 s (the same run without the route's timeout) > route timeout 30.0 s: the client sees 504"))
        #expect(result.gatewayJournal.flatMap(\.waits).map(\.ms) == [1000, 2000, 4000, 8000, 16000])
        #expect(text.contains("15.0 s + 16000 ms  backoff before the next try of config.targets[0]"))
        #expect(text.contains("0.0 s → 0.0 s  config.targets[0] (primary): 503 (rule 1)"))
    }

    /// A provider's own refusal, hidden from the client by a fallback, is told in its words.
    @Test func aRefusalIsToldInTheProvidersWords() throws {
        let (_, text) = try explain("linked-image-default-fallback", in: "labs/request-mistakes.conf")
        #expect(text.contains(#"config.targets[0] (primary): 400 ("ollama error: invalid image input")"#))
        #expect(text.contains("config.targets[1] (openai): 200\n"))
    }

    /// What the gateway's translation lost or clamped on the way to a target is told beside it.
    @Test func whatTheTranslationDidIsTold() throws {
        let (_, structured) = try explain("structured-output-past-the-fallback", in: "labs/request-mistakes.conf")
        #expect(structured.contains("config.targets[1] (anthropic): 200; the gateway's translation for it — not passed on: response_format\n"))
        #expect(structured.contains("config.targets[0] (openai): 200\n"), "OpenAI is sent it whole")
        let (_, negative) = try explain("negative-max-tokens", in: "labs/request-mistakes.conf")
        #expect(negative.contains("; the gateway's translation for it — max_tokens -160 → 0"))
    }

    /// A model that had to load (and wait for room) says how long, from the provider's journal.
    @Test func aModelsLoadIsTold() throws {
        let (result, text) = try explain("small-model-on-the-same-gpu", in: "labs/one-gpu-two-models.conf")
        // The 70B model's own 30 s load; the 8B model waits for it to end, then loads for 4 s.
        #expect(text.contains("0.0 s → 10.0 s  config.targets[0] (gpu): 408 (request_timeout 10000 ms); the model had to load first: load_duration 30.0 s"))
        #expect(text.contains("10.0 s → 30.0 s  config.targets[1] (gpu): abandoned: the client left; the model had to load first: load_duration 24.0 s"))
        #expect(result.visits.first?.modelWaitMs == 30_000)
    }

    /// Ollama's queue: an answer that waited for a generation slot says how long.
    @Test func aWaitForASlotIsTold() throws {
        let (result, text) = try explain("queue-past-the-route", in: "labs/one-slot-ollama.conf")
        #expect(text.contains("0.0 s → 5.6 s  config.targets[0] (primary): 200\n"))
        #expect(text.contains("0.0 s → 9.2 s  config.targets[0] (primary): 200; it waited 3.6 s for a generation slot"))
        #expect(result.visits.prefix(3).map(\.slotWaitMs) == [nil, 3600, 7200])
        // Twelve requests: the first two, then where the story turns — the first 504, still queued.
        #expect(text.contains("request 8, the first to end otherwise (the route's 504):\n"
                              + "  0.0 s → 30.0 s  config.targets[0] (primary): abandoned: the client left; it waited 25.2 s for a generation slot"))
        #expect(text.contains("… 9 more requests; statuses: 200 ×7, 504 ×5"))
    }

    @Test func aHangWithNoTimeoutWaitsForever() throws {
        let (_, text) = try explain("hang-without-timeout")
        #expect(text.contains("0.0 s → 30.0 s  config.targets[0] (primary): abandoned: the client left (rule 1)"))
        #expect(text.contains("the gateway would wait forever (nothing ends its wait: no request_timeout) > route timeout 30.0 s"))
    }

    @Test func eachGatewayEntryIsToldUnderItsOwnRequest() throws {
        let (_, text) = try explain("conditional-metadata")
        #expect(text.contains("request 1:\n  0.0 s → 1.6 s  config.targets[0] (primary): 200\n  ⇒ 200 from primary via config.targets[0]"))
        #expect(text.contains("request 2:\n  0.0 s → 1.6 s  config.targets[1] (backup): 200\n  ⇒ 200 from backup"))
        let (_, retried) = try explain("client-retry-doubles-hits")
        #expect(retried.contains("0.5 s → 0.5 s  config (primary): 503"))
        #expect(retried.contains("the client sent it 2 times"))
    }

    @Test func theFidelityCheckFlagsEveryDifference() throws {
        let (a, _) = try explain("fallback-on-503")
        let same = FidelityCheck.compare(simulated: a, real: a)
        #expect(same.allSatisfy { $0.agrees })
        var b = a
        b.requests[0].status = 500
        b.requests[0].labMs += 400
        b.visits[0].what = "500"
        let flagged = FidelityCheck.compare(simulated: a, real: b).filter { !$0.agrees }.map(\.what)
        #expect(flagged == ["status (request 1)", "latency (request 1)", "provider visits (from visit 1)"])
        #expect(FidelityCheck.latencyAgrees(simulated: 30_000, real: 30_020))
        #expect(!FidelityCheck.latencyAgrees(simulated: 1_000, real: 1_300))
    }
}
