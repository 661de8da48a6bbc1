import Testing
import Foundation
import LabCore
@testable import LabKit

/// The example labs beside the default one: every expectation holds, and the provider
/// journals show what the notes say.
@Suite struct ExampleLabTests {
    static func run(_ file: String) throws -> [String: ScenarioResult] {
        let config = try LabConfigParser.load(repositoryFile(file))
        let env = try LabEnvironment(config: config)
        defer { env.shutdown() }
        let runner = ScenarioRunner(env: env)
        let results = Dictionary(uniqueKeysWithValues: config.scenarios.map { ($0.name, runner.run($0)) })
        for r in results.values {
            for v in r.verdicts where !v.passed { Issue.record("\(r.scenario.name): \(v.name) expected \(v.expected), got \(v.actual)") }
        }
        return results
    }

    /// labs/ollama-behind-a-proxy.conf: Ollama's Host check met through the gateway.
    @Test func theProxyLabShowsTheRefusalAndWhoHidesIt() throws {
        let results = try Self.run("labs/ollama-behind-a-proxy.conf")
        #expect(results.count == 3)
        // The refusal is the provider's own 403, in its journal.
        let refused = results["host-refused-default-fallback"]!.visits
        #expect(refused.map(\.provider) == ["loopback-ollama", "backup"] && refused.first?.status == 403)
    }

    /// labs/request-mistakes.conf: Ollama's refusals of OpenAI-style requests through the gateway.
    @Test func theRequestLabShowsRefusalsAndTheBackupThatHidesThem() throws {
        let results = try Self.run("labs/request-mistakes.conf")
        #expect(results.count == 15)
        #expect(results["linked-image"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["primary 400"])
        // The fallback meets a limit the primary does not have.
        #expect(results["max-tokens-past-the-fallback"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["openai 400", "anthropic 529"], "visits listed by provider, in lab.conf order")
        #expect(results["negative-max-tokens"]!.requests.first?.body.contains("but got 0 instead") == true)
        #expect(results["linked-image-default-fallback"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["primary 400", "openai 200"])
        #expect(results["inline-image"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["primary 200"])
        #expect(results["empty-turn-past-the-fallback"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["openai 429", "anthropic 400"])
        // Structured output survives OpenAI and not the Anthropic fallback, under the same 200.
        #expect(results["structured-output-past-the-fallback"]!.requests.map(\.contentIsJSON) == [true, false])
        #expect(results["structured-output-past-the-fallback"]!.requests.map(\.status) == [200, 200])
        #expect(results["trimmed-history-past-the-fallback"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["primary 503", "openai 400"])
        #expect(results["interrupted-tool-call-past-the-fallback"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["primary 503", "openai 400"])
        #expect(results["mcp-tool-name-past-the-fallback"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["primary 200", "primary 503", "openai 400"])
        #expect(results["retired-model-past-the-fallback"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["openai 429", "anthropic 404"])
        #expect(results["reasoning-model-past-the-fallback"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["primary 503", "openai 400"])
        // The canned timeline is 138 tokens; the gateway asks Ollama for 100.
        let capped = try #require(results["no-max-tokens-through-the-gateway"]?.requests.first)
        #expect(capped.finishReason == "length" && capped.contentTokens == 100)
    }

    /// labs/one-slot-ollama.conf: a one-slot Ollama queues; the journal shows the waits.
    @Test func theOneSlotLabQueuesUntilTheRoutesTimeout() throws {
        let results = try Self.run("labs/one-slot-ollama.conf")
        #expect(results.count == 3)
        // One answer at a time: each ends a whole answer (5.6 s) after the one before it,
        // though the requests came 2 s apart.
        let served = results["queue-past-the-route"]!.visits.filter { $0.provider == "primary" && $0.status == 200 }
        #expect(served.count == 7)
        for (a, b) in zip(served, served.dropFirst()) { #expect(abs((b.endMs - a.endMs) - 5600) < 1, "\(a.endMs) → \(b.endMs)") }
        // Each model has its own slot: the 8B answers the fallbacks ask for start as they
        // arrive, while the 70B queue is still full.
        let smallAnswers = results["smaller-model-own-slot"]!.visits.filter { $0.model == "llama3:8b" }
        #expect(smallAnswers.count == 9)
        for v in smallAnswers { #expect(v.endMs - v.atMs < 1000 && v.status == 200, "\(v.atMs) → \(v.endMs)") }
    }

    /// labs/cold-model.conf: the first requests wait for the model to load; every scenario
    /// starts with none in memory.
    @Test func theColdModelLabLoadsOncePerScenario() throws {
        let results = try Self.run("labs/cold-model.conf")
        #expect(results.count == 4)
        // Whichever runs first or alone, each scenario's first request meets the load.
        for name in ["load-past-the-route", "load-with-request-timeout"] {
            let first = results[name]!.visits.first { $0.provider == "primary" }!
            #expect(first.endMs - first.atMs >= 10_000, "\(name)")
        }
        // Six minutes apart: past the five-minute keep-alive every request loads again;
        // with the server's keep-alive at -1 only the first one does.
        let idle = results["idle-past-keep-alive"]!.visits
        #expect(idle.count == 3 && idle.allSatisfy { $0.endMs - $0.atMs >= 30_000 })
        let pinned = results["keep-alive-forever"]!.visits
        #expect(pinned.map { $0.endMs - $0.atMs >= 30_000 } == [true, false, false])
    }

    /// labs/one-gpu-two-models.conf: a fallback to another model on a one-model Ollama waits
    /// for the models to swap; on a second Ollama it answers while the first model loads.
    @Test func theOneGpuLabShowsModelsTakingTurns() throws {
        let results = try Self.run("labs/one-gpu-two-models.conf")
        #expect(results.count == 3)
        let same = results["small-model-on-the-same-gpu"]!
        #expect(same.requests.map(\.status) == [504, 504, 504, 504])
        #expect(same.visits.allSatisfy { $0.provider == "gpu" && $0.status == nil })
        let second = results["small-model-on-a-second-gpu"]!
        #expect(second.requests.map(\.status) == [200, 200, 200, 200])
        #expect(second.visits.filter { $0.status == 200 }.map(\.provider) == ["second-gpu", "second-gpu", "gpu", "gpu"])
        // Under traffic the scheduler's queue fills behind the swaps: Ollama's own 503.
        let load = results["swap-under-load"]!
        #expect(load.requests.filter { $0.status == 503 }.count == 115)
        let errors = load.gatewayJournal.flatMap(\.attempts).compactMap(\.error)
        #expect(errors.contains { $0.contains("server busy, please try again.  maximum pending requests exceeded") })
    }

    /// labs/custom-host-mistakes.conf: what a trailing / or /v1 on custom_host does.
    @Test func theCustomHostLabShowsTheRedirectAndTheDoubledPath() throws {
        let results = try Self.run("labs/custom-host-mistakes.conf")
        #expect(results.count == 2)
        // Go's 301 for //v1/chat/completions, then the GET fetch turned it into.
        #expect(results["trailing-slash"]!.visits.map(\.status) == [301, 405])
        #expect(results["trailing-v1"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["primary 404", "backup 200"])
    }
}
