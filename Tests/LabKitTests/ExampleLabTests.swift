import Testing
import Foundation
import LabCore
@testable import LabKit

/// labs/ollama-behind-a-proxy.conf: Ollama's Host check met through the gateway.
@Suite struct ExampleLabTests {
    @Test func theProxyLabShowsTheRefusalAndWhoHidesIt() throws {
        let config = try LabConfigParser.load(repositoryFile("labs/ollama-behind-a-proxy.conf"))
        let env = try LabEnvironment(config: config)
        defer { env.shutdown() }
        let runner = ScenarioRunner(env: env)
        let results = Dictionary(uniqueKeysWithValues: config.scenarios.map { ($0.name, runner.run($0)) })
        #expect(results.count == 3)
        for r in results.values {
            for v in r.verdicts where !v.passed { Issue.record("\(r.scenario.name): \(v.name) expected \(v.expected), got \(v.actual)") }
        }
        // The refusal is the provider's own 403, in its journal, with the public name it was sent.
        let refused = results["host-refused-default-fallback"]!.visits
        #expect(refused.map(\.provider) == ["loopback-ollama", "backup"] && refused.first?.status == 403)
    }
}
