import Testing
import Foundation
import LabCore
@testable import LabKit

/// labs/failover-benchmark.conf, the benchmark's sixteen shapes: every expectation
/// holds, and the figures the benchmark publishes come out of the run.
@Suite(.serialized) struct FailoverBenchmarkTests {
    static func runAll() throws -> [String: ScenarioResult] {
        let config = try LabConfigParser.load(repositoryFile("labs/failover-benchmark.conf"))
        let env = try LabEnvironment(config: config)
        defer { env.shutdown() }
        let runner = ScenarioRunner(env: env)
        return Dictionary(uniqueKeysWithValues: config.scenarios.map { ($0.name, runner.run($0)) })
    }

    @Test func everyScenarioPasses() throws {
        let results = try Self.runAll()
        #expect(results.count == 16)
        for r in results.values {
            #expect(r.verdicts.count >= 2, "\(r.scenario.name) states what it shows")
            for v in r.verdicts where !v.passed { Issue.record("\(r.scenario.name): \(v.name) expected \(v.expected), got \(v.actual)") }
        }
    }

    @Test func theBenchmarksFiguresComeOut() throws {
        let r = try Self.runAll()
        // Backoff 1 s, 2 s, 4 s between the four attempts on a persistent 503.
        let primary = r["persistent-503"]!.visits.filter { $0.provider == "primary" }
        #expect(zip(primary, primary.dropFirst()).map { $1.atMs - $0.endMs } == [1000, 2000, 4000])
        // Silence ends in the gateway's own 408 at 30 s, then the fallback.
        #expect(r["silence"]!.visits.map(\.provider) == ["primary", "fallback"] && r["silence"]!.visits[1].atMs == 30_000)
        // The 200s that are not whole answers: a cut stream and a malformed event.
        let truncated = r.values.filter { $0.requests.contains { $0.status == 200 && $0.streamShape == "truncated" } }.map(\.scenario.name).sorted()
        #expect(truncated == ["malformed-event", "stream-cut"])
        // A stall after the headers is invisible to request_timeout: the whole minute is paid.
        #expect(r["stall-after-tokens"]!.requests[0].labMs >= 60_000)
        #expect(r["context-length"]!.requests[0].body.contains("the input length exceeds the context length"))
    }
}
