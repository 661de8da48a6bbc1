import Testing
import LabCore
@testable import LabKit

@Suite(.serialized) struct HTMLReportTests {
    @Test func oneTimelinePerScenarioWithEveryLaneAndTheEdgeLine() throws {
        let config = try LabConfigParser.load(defaultLabConf)
        let env = try LabEnvironment(config: config)
        defer { env.shutdown() }
        let runner = ScenarioRunner(env: env)
        let results = ["hang-without-timeout", "retry-count-minus-one", "loadbalance-weights"].map { runner.run(config.scenario($0)!) }
        let html = HTMLReport.render(results, env: env)
        #expect(html.components(separatedBy: "<svg class=\"timeline\"").count - 1 == 3)
        #expect(!html.contains("http://") || !html.contains("src=\"http"), "no network fetches")
        for lane in ["client", "edge route", "gateway", "primary", "backup", "third"] { #expect(html.contains(">\(lane)</text>")) }
        // The hang: the route's timeout is drawn, and the gateway's abandoned attempt is a timeout bar.
        let hang = results[0].timeline
        #expect(hang.edgeTimeoutAtMs != nil && HTMLReport.svg(hang).contains("class=\"edge\""))
        #expect(hang.bars.contains { $0.lane == "gateway" && $0.kind == .timeout && $0.endMs - $0.startMs > 20_000 })
        #expect(hang.bars.contains { $0.lane == "edge route" && $0.kind == .timeout })
        // Retries: three attempts on the primary and two backoff waits of 1 s and 2 s.
        let retries = results[1].timeline
        #expect(retries.bars.filter { $0.lane == "primary" }.count == 3)
        #expect(retries.bars.filter { $0.kind == .wait }.map { Int($0.endMs - $0.startMs) } == [1000, 2000])
        // A hundred requests still make one chart with a hundred client bars.
        #expect(results[2].timeline.bars.filter { $0.lane == "client" }.count == 100)
    }

    /// The tooltips of one lane of a scenario's timeline in an example lab.
    func labels(_ file: String, _ scenario: String, lane: String) throws -> (ScenarioResult, [String]) {
        let config = try LabConfigParser.load(repositoryFile(file))
        let env = try LabEnvironment(config: config)
        defer { env.shutdown() }
        let result = ScenarioRunner(env: env).run(try #require(config.scenario(scenario)))
        return (result, result.timeline.bars.filter { $0.lane == lane }.map(\.label))
    }

    /// A refusal's words are in its gateway bar's tooltip.
    @Test func aRefusedAttemptSaysWhy() throws {
        let (result, labels) = try labels("labs/request-mistakes.conf", "linked-image-default-fallback", lane: "gateway")
        #expect(labels == ["config.targets[0]: 400 — ollama error: invalid image input", "config.targets[1]: 200"])
        #expect(HTMLReport.svg(result.timeline).contains("<title>config.targets[0]: 400 — ollama error: invalid image input ("))
    }

    /// A model's load is in its provider bar's tooltip.
    @Test func aModelsLoadIsInItsBar() throws {
        let (_, labels) = try labels("labs/cold-model.conf", "load-past-the-route", lane: "primary")
        #expect(labels.first == "POST /v1/chat/completions: no answer (client left); the model loaded first (load_duration 35000 ms)")
        #expect(labels.last == "POST /v1/chat/completions: 200")
    }

    @Test func aWaitForASlotIsInItsBar() throws {
        let (_, labels) = try labels("labs/one-slot-ollama.conf", "queue-past-the-route", lane: "primary")
        #expect(labels.prefix(3) == ["POST /v1/chat/completions: 200", "POST /v1/chat/completions: 200; waited 3600 ms for a generation slot",
                                     "POST /v1/chat/completions: 200; waited 7200 ms for a generation slot"])
    }

    @Test func ticksAreRoundNumbers() {
        #expect(HTMLReport.ticks(31_000) == [0, 10000, 20000, 30000])
        #expect(HTMLReport.ticks(2_400) == [0, 500, 1000, 1500, 2000])
        #expect(HTMLReport.ticks(120).first == 0)
    }
}
