import Testing
import LabCore
@testable import LabKit

/// `lab explain` must predict what every built-in scenario then does.
@Suite(.serialized) struct ExplainTests {
    @Test func predictionsMatchObservationsForEveryBuiltInScenario() throws {
        let config = try LabConfigParser.load(defaultLabConf)
        let env = try LabEnvironment(config: config)
        defer { env.shutdown() }
        let runner = ScenarioRunner(env: env)
        let predictor = Predictor(config: config)
        for scenario in config.scenarios {
            let prediction = try predictor.predict(scenario)
            let result = runner.run(scenario)
            for check in Explanation.compare(prediction, result) where !check.agrees {
                Issue.record("\(scenario.name): \(check.what) predicted \(check.predicted), observed \(check.observed)")
            }
        }
    }

    @Test func theNarrativeSaysWhyTheClientSeesA504() throws {
        let config = try LabConfigParser.load(defaultLabConf)
        let retries = try Predictor(config: config).predict(config.scenario("retries-past-the-edge")!)
        let text = Explanation.narrative(retries, edgeTimeoutMs: config.edgeTimeoutMs).joined(separator: "\n")
        #expect(text.contains("worst case ≥ 31.0 s > route timeout 30.0 s: the client will see 504"))
        #expect(retries.requests[0].waits.map(\.ms) == [1000, 2000, 4000, 8000, 16000])
        let hang = try Predictor(config: config).predict(config.scenario("hang-without-timeout")!)
        #expect(Explanation.narrative(hang, edgeTimeoutMs: 30_000).joined().contains("the gateway would wait forever > route timeout 30.0 s"))
        let fixed = try Predictor(config: config).predict(config.scenario("hang-with-timeout")!)
        #expect(fixed.requests[0].status == 200 && fixed.requests[0].servedBy == "backup")
        #expect(abs(fixed.requests[0].totalMs - 10_000) < 1)
    }
}
