import Testing
import Foundation
import LabCore
@testable import LabKit

/// Traffic on a schedule, outages on a window, and the stream faults a failover
/// benchmark needs, run on the simulated clock.
@Suite struct ScheduleAndWindowTests {
    static let conf = """
        providers:
          primary: { models: [llama3] }
          backup: { models: [llama3] }
        scenarios:
          - name: outage-window
            portkey_config: {"strategy": {"mode": "fallback"}, "targets": [{"provider": "ollama", "custom_host": "http://primary:11434"}, {"provider": "ollama", "custom_host": "http://backup:11434"}]}
            requests: { count: 20, every_ms: 4000, window_s: 20 }
            down: { primary: { from_ms: 20000, for_ms: 20000 } }
            expect: { success_rate: { min: 1.0 }, hits: { primary: 15, backup: 5 } }
          - name: first-token-later
            portkey_config: {"strategy": {"mode": "fallback"}, "targets": [{"provider": "ollama", "custom_host": "http://primary:11434", "request_timeout": 2000}, {"provider": "ollama", "custom_host": "http://backup:11434"}]}
            faults: { primary: [ { fault: { pacing: { first_token_after_ms: 5000 } } } ] }
            request: { stream: true }
            expect: { status: 200, served_by: primary, stream_complete: true, latency_ms: { min: 5000 } }
          - name: headers-later
            portkey_config: {"strategy": {"mode": "fallback"}, "targets": [{"provider": "ollama", "custom_host": "http://primary:11434", "request_timeout": 2000}, {"provider": "ollama", "custom_host": "http://backup:11434"}]}
            faults: { primary: [ { fault: { pacing: { ttft_ms: 5000 } } } ] }
            request: { stream: true }
            expect: { status: 200, served_by: backup }
          - name: inserted-malformed
            portkey_config: {"provider": "ollama", "custom_host": "http://primary:11434"}
            faults: { primary: [ { fault: { stream: { insert_malformed_after: 2 } } } ] }
            request: { stream: true }
            expect: { status: 200, stream_complete: false }
          - name: no-terminator
            portkey_config: {"provider": "ollama", "custom_host": "http://primary:11434"}
            faults: { primary: [ { fault: { stream: { drop_done: true } } } ] }
            request: { stream: true }
            expect: { status: 200, stream: missing_terminator, finish_reason: stop }
          - name: cut
            portkey_config: {"provider": "ollama", "custom_host": "http://primary:11434"}
            faults: { primary: [ { fault: { stream: { cut_after_chunks: 2, then: close } } } ] }
            request: { stream: true }
            expect: { status: 200, stream: truncated }
          - name: whole
            portkey_config: {"provider": "ollama", "custom_host": "http://primary:11434"}
            request: { stream: true, max_tokens: 3 }
            expect: { status: 200, stream: complete, finish_reason: length }
          - name: prefill-rejected
            portkey_config: {"strategy": {"mode": "fallback"}, "targets": [{"provider": "ollama", "custom_host": "http://primary:11434"}, {"provider": "ollama", "custom_host": "http://backup:11434"}]}
            faults: { primary: [ { match: { body: { "messages[-1].role": assistant } }, fault: { status: 400, body: { error: { message: "prefill is not supported" } } } } ] }
            request: { messages: [ { role: user, content: "Write a haiku" }, { role: assistant, content: "Sure," } ] }
            expect: { status: 200, served_by: backup, hits: { primary: 1, backup: 1 } }
        """

    func run() throws -> [ScenarioResult] {
        let config = try LabConfigParser.parse(Self.conf, file: "lab.conf")
        let env = try LabEnvironment(config: config)
        defer { env.shutdown() }
        let runner = ScenarioRunner(env: env)
        return config.scenarios.map(runner.run)
    }

    @Test func everyExpectationHolds() throws {
        for r in try run() {
            for v in r.verdicts where !v.passed { Issue.record("\(r.scenario.name): \(v.name) expected \(v.expected), got \(v.actual)") }
        }
    }

    @Test func scheduledRequestsArriveOnTimeAndTheWindowShowsTheOutage() throws {
        let r = try run()[0]
        #expect(r.requests.map(\.startLabMs) == (0..<20).map { Double($0) * 4000 })
        #expect(r.windows.map { $0.hits.first { $0.0 == "backup" }?.1 ?? -1 } == [0, 5, 0, 0])
        #expect(r.requests.filter { $0.servedBy == "backup" }.map(\.number) == [6, 7, 8, 9, 10])
    }

    @Test func theFirstTokenLaterIsNotCaughtByRequestTimeout() throws {
        let results = try run()
        #expect(results[1].requests[0].labMs >= 5000 && results[1].requests[0].servedBy == "primary")
        #expect(results[2].requests[0].servedBy == "backup" && results[2].requests[0].lastUsedOptionIndex == "config.targets[1]")
    }

    @Test func aScheduleAndAListDoNotMix() {
        let bad = Self.conf.replacingOccurrences(of: "requests: { count: 20, every_ms: 4000, window_s: 20 }",
                                                 with: "requests: { count: 20, every_ms: 4000 }\n    load: { rate_per_s: 1, duration_s: 10 }")
        #expect(throws: ConfigError.self) { try LabConfigParser.parse(bad, file: "lab.conf") }
    }
}
