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
        #expect(results.count == 4)
        #expect(results["linked-image"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["primary 400"])
        #expect(results["linked-image-default-fallback"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["primary 400", "openai 200"])
        #expect(results["inline-image"]!.visits.map { "\($0.provider) \($0.status ?? 0)" } == ["primary 200"])
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
