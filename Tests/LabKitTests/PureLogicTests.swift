import Testing
import LabCore
import LabHTTP
import Gateway
@testable import LabKit

@Suite struct ConfigQueryTests {
    let config: PortkeyTarget = try! PortkeyConfigCheck.check(try! JSONParser.parse(#"""
        {"strategy":{"mode":"fallback"},"custom_host":"http://outer:1","targets":[
          {"strategy":{"mode":"loadbalance"},"targets":[{"provider":"ollama","custom_host":"http://a:1"},{"provider":"ollama","custom_host":"http://b:1"}]},
          {"provider":"ollama"}]}
        """#), policy: CustomHostPolicy(trusted: ["outer", "a", "b"]))

    @Test func indexesAndHosts() {
        #expect(PortkeyTarget.indexes(of: "config") == [])
        #expect(PortkeyTarget.indexes(of: "config.targets[0].targets[1]") == [0, 1])
        #expect(PortkeyTarget.indexes(of: "nope") == nil)
        // A path from a gateway the lab does not run is only read, never trusted: a
        // negative index took `lab run` down.
        for odd in ["config.targets[-1]", "config.targets[+1]", "config.targets[]", "config.targets[99999999999999999999]"] {
            #expect(PortkeyTarget.indexes(of: odd) == nil, "\(odd)")
            #expect(config.customHost(at: odd) == nil && !config.fallbackTriggered(at: odd))
        }
        #expect(config.customHost(at: "config.targets[0].targets[1]") == "http://b:1")
        #expect(config.customHost(at: "config.targets[1]") == "http://outer:1")
        #expect(config.customHost(at: "config.targets[5]") == nil)
        #expect(config.firstLeafPath == "config.targets[0].targets[0]" && config.customHost(at: config.firstLeafPath) == "http://a:1")
        #expect(config.customHosts == ["http://outer:1", "http://a:1", "http://b:1"])
    }

    @Test func fallbackTriggeredOnlyPastAFallbacksFirstTarget() {
        #expect(!config.fallbackTriggered(at: "config.targets[0].targets[1]"))
        #expect(config.fallbackTriggered(at: "config.targets[1]"))
        #expect(!config.fallbackTriggered(at: "config"))
    }
}

@Suite struct ExpectationCheckTests {
    func outcome(_ n: Int, status: Int?, servedBy: String? = nil, labMs: Double = 10) -> RequestOutcome {
        RequestOutcome(number: n, label: "x", stream: false, status: status, clientError: status == nil ? "reset" : nil, headers: HTTPHeaders(),
                       body: "{\"ok\":true}", labMs: labMs, lastUsedOptionIndex: nil, retryAttemptCount: nil,
                       servedBy: servedBy, fallbackTriggered: false, streamComplete: nil, edgeTimedOut: false, clientAttempts: 1)
    }

    @Test func verdictsSayWhatWasExpectedAndWhatHappened() {
        var e = Expectations()
        e.status = 200
        e.servedBy = "backup"
        e.hits = [("primary", CountBound(min: 1, max: 1))]
        e.latencyMaxMs = 50
        e.bodyContains = "ok"
        let v = ExpectationCheck.verdicts(e, requests: [outcome(1, status: 200, servedBy: "primary", labMs: 80)], hits: [("primary", 2)])
        #expect(v.map(\.name) == ["status", "served_by", "body_contains", "latency_ms.max", "hits.primary"])
        #expect(v.map(\.passed) == [true, false, true, false, false])
        #expect(v[1].expected == "backup" && v[1].actual == "primary")
        #expect(v[4].actual == "2")
    }

    @Test func manyRequestsReportTheFirstThatDiffers() {
        var e = Expectations()
        e.status = 200
        let v = ExpectationCheck.verdicts(e, requests: [outcome(1, status: 200), outcome(2, status: 503), outcome(3, status: nil)], hits: [])
        #expect(!v[0].passed && v[0].request == 2)
        #expect(v[0].actual == "2 of 3 differ; request 2 got 503")
        var counts = Expectations()
        counts.statuses = [(200, CountBound(min: 1, max: nil))]
        #expect(ExpectationCheck.verdicts(counts, requests: [outcome(1, status: 200)], hits: []).first?.passed == true)
    }
}

@Suite struct ConsoleTextTests {
    @Test func windowsShorterThanASecondShowTheirFraction() {
        #expect(ConsoleReport.windowText(0, 60_000) == "0:00–1:00")
        #expect(ConsoleReport.windowText(3_540_000, 3_600_000) == "59:00–1:00:00")
        // A one-second load cut into tenths read "0:00–0:00" ten times.
        #expect(ConsoleReport.windowText(100, 200) == "0.100s–0.200s")
        #expect(ConsoleReport.windowText(1_000, 1_500) == "1.000s–1.500s")
    }

    @Test func textFromOutsideReachesTheTerminalWithoutControlCharacters() {
        // A fault's body or an upstream's answer with an escape sequence (here: clear the
        // screen) is shown, not obeyed.
        #expect(ConsoleReport.clip("a\u{1B}[2Jb\nc\td\u{7}e\u{9B}f") == #"a\u{1B}[2Jb c d\u{7}e\u{9B}f..."#)
        #expect("plain text, é ✓".terminalSafe == "plain text, é ✓")
        #expect(ConsoleReport.clip(String(repeating: "x", count: 70), 60) == String(repeating: "x", count: 60) + "...")
    }

    @Test func aScenariosLabTimeIsItsSpanNotTheSumOfItsLatencies() throws {
        // Twenty requests a second for two seconds, each answered in 1.38 s: the run spans
        // 1.95 s of sends plus the last answer, not 40 × 1.38 s.
        let config = try LabConfigParser.parse("""
            providers:
              a: {}
            hosts:
              a: a
            scenarios:
              - name: s
                portkey_config: { provider: ollama, custom_host: "http://a:11434" }
                load: { rate_per_s: 20, duration_s: 2 }
            """, file: "lab.conf")
        let env = try LabEnvironment(config: config)
        defer { env.shutdown() }
        let result = ScenarioRunner(env: env).run(config.scenarios[0])
        let line = ConsoleReport(color: false).summary([result], env: env).split(separator: "\n").first { $0.contains("PASS") || $0.contains("FAIL") }
        let latency = try #require(result.requests.first?.labMs)
        let span = (result.requests.last?.startLabMs ?? 0) + latency
        #expect(result.requests.count == 40 && line?.contains(" \(String(format: "%.3f", span / 1000))s lab") == true, "\(line ?? "")")
        // JUnit's time and the HTML index read the same span.
        #expect(result.labMs == span)
        #expect(MachineReports.junit([result], env: env).contains(#"name="s" time="\#(String(format: "%.3f", span / 1000))""#))
    }
}

/// `lab check`'s note of a model a scenario sends a provider that does not serve it.
@Suite struct ModelCoverageTests {
    @Test func aModelNoProviderServesIsFoundWhereverItComesFrom() throws {
        // The shipped labs: only the scenario about a retired model sends one.
        let mistakes = try LabConfigParser.load(repositoryFile("labs/request-mistakes.conf"))
        #expect(ModelCoverage.gaps(mistakes) == [.init(scenario: "retired-model-past-the-fallback", target: "config.targets[1]",
                                                      provider: "anthropic", model: "claude-3-opus-20240229")])
        #expect(ModelCoverage.gaps(try LabConfigParser.load(repositoryFile("lab.conf"))).isEmpty)
        // A typo in the request (no model pinned by the config), an Ollama tag, and a vendor id
        // that must match exactly.
        let lab = try LabConfigParser.parse("""
            providers:
              primary: { models: [llama3] }
              oa: { api: openai, models: [gpt-4o-mini] }
            hosts: { ollama: primary, openai: oa }
            scenarios:
              - name: typo
                portkey_config: { provider: ollama, custom_host: "http://ollama:11434" }
                requests: [ { model: "llama3:latest" }, { model: lama3 } ]
              - name: pinned
                portkey_config: { strategy: { mode: fallback }, targets: [ { provider: ollama, custom_host: "http://ollama:11434", override_params: { model: llama3 } }, { provider: openai, api_key: k, custom_host: "http://openai:1/v1", override_params: { model: GPT-4o-mini } } ] }
                request: { model: anything }
              - name: header-host
                portkey_config: { provider: ollama, custom_host: "http://ollama:11434" }
                requests: [ { model: llama3 }, { model: gpt-4o, headers: { X-Portkey-Custom-Host: "http://openai:1/v1" } } ]
            """, file: "lab.conf")
        #expect(ModelCoverage.gaps(lab).map { "\($0.scenario) \($0.target) \($0.provider) \($0.model)" }
                == ["typo config primary lama3", "pinned config.targets[1] oa GPT-4o-mini", "header-host config oa gpt-4o"])
    }
}
