import Testing
import Foundation
import LabCore
@testable import LabKit
import MockOllama

@Suite struct LabConfigParserTests {
    let base = """
        seed: 7
        providers:
          primary: { models: [llama3] }
          backup: {}
        hosts:
          portkey-gateway-ollama: primary
          gone: { unreachable: refused }
        scenarios:
          - name: one
            portkey_config: {"provider": "ollama", "custom_host": "http://portkey-gateway-ollama:11434"}
            expect: { status: 200, hits: { primary: 1 } }

        """

    func error(_ text: String) -> String? {
        do {
            _ = try LabConfigParser.parse(text, file: "lab.conf")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func readsAValidFile() throws {
        let c = try LabConfigParser.parse(base, file: "lab.conf")
        #expect(c.seed == 7 && c.providers.map(\.name) == ["primary", "backup"])
        #expect(c.hosts["gone"] == .refused && c.hosts["backup"] == .provider("backup"))
        #expect(c.scenarios[0].requests.count == 1)
        #expect(c.scenarios[0].requests[0].body["model"] == "llama3")
        #expect(c.scenarios[0].expect.hits.first?.1 == CountBound(min: 1, max: 1))
    }

    @Test(arguments: [
        ("providers:\n  p: {}\nscenarios: []\nbogus: 1\n", "lab.conf:4: bogus: unknown key"),
        ("providers:\n  p: { port: x }\nscenarios: []\n", "lab.conf:2: providers.p.port: expected a whole number, got \"x\""),
        ("providers:\n  p: {}\nhosts:\n  h: q\nscenarios: []\n", "lab.conf:4: hosts.h: no provider named 'q'"),
        ("providers:\n  p: {}\nscenarios:\n  - name: a\n    portkey_config: {\"provider\":\"ollama\",\"custom_host\":\"http://nowhere:1\"}\n",
         "lab.conf:5: scenarios[0].portkey_config: custom_host 'http://nowhere:1' uses host 'nowhere'"),
        ("providers:\n  p: {}\nscenarios:\n  - name: a\n    portkey_config: {\"strategy\":{\"mode\":\"sideways\"},\"targets\":[]}\n",
         "lab.conf:5: scenarios[0].portkey_config: the gateway would refuse this config: 400"),
        ("providers:\n  p: {}\nscenarios:\n  - name: a\n    portkey_config: {\"provider\":\"ollama\"}\n    faults:\n      p:\n        - when: { first: x }\n          fault: { status: 503 }\n",
         "lab.conf:8: scenarios[0].faults.p[0]: rule 1: when.first: expected a whole number, got \"x\""),
        // A fault rule's mistake is located at its own field, however deep.
        ("providers:\n  p: {}\nscenarios:\n  - name: a\n    portkey_config: {\"provider\":\"ollama\"}\n    faults:\n      p:\n        - when: { first: 1 }\n          fault:\n            slow:\n              bytes_per_second: 1\n              burst: 2\n",
         "lab.conf:12: scenarios[0].faults.p[0]: rule 1: fault.slow.burst: unknown key (expected one of bytes_per_second)"),
        ("providers:\n  p: {}\nscenarios:\n  - name: a\n    portkey_config: {\"provider\":\"ollama\"}\n    expect: { served_by: nobody }\n",
         "lab.conf:6: scenarios[0].expect.served_by: expected a provider name (p) or none"),
        ("providers: [\n", "lab.conf:2:"),
        // A control character (a binary file given as lab.conf): its line and code, not
        // the raw line echoed into the terminal.
        ("seed: 7\nproviders:\n  a: {}\nscenarios: [] \u{01}\n", "lab.conf:4: control characters are not allowed (U+0001): is this a text file?"),
        ("providers:\n  p: {}\nscenarios:\n  - name: a\n    portkey_config: {\"provider\":\"ollama\"}\n  - name: a\n    portkey_config: {\"provider\":\"ollama\"}\n",
         "lab.conf:6: scenarios[1].name: another scenario is already named 'a'"),
    ])
    func errorsSayFileLineAndWhatWasExpected(text: String, prefix: String) {
        let e = error(text)
        #expect(e?.hasPrefix(prefix) == true, "\(e ?? "no error")")
    }

    @Test func ollamasOriginAndHostChecksAreReadPerProvider() throws {
        let config = try LabConfigParser.parse("""
            providers:
              a: { origins: ["chrome-extension://*", "https://chat.example.com"], host_check: true }
              b: {}
            scenarios: []
            """, file: "lab.conf")
        #expect(config.providers[0].origins == ["chrome-extension://*", "https://chat.example.com"] && config.providers[0].hostCheck)
        #expect(config.providers[1].origins.isEmpty && !config.providers[1].hostCheck)
        #expect(error("providers:\n  a: { origins: [example.com] }\nscenarios: []\n")?.hasPrefix(
            "lab.conf:2: providers.a.origins: bad origin: origins must contain '*' or include http://,https://,") == true)
        #expect(error("providers:\n  a: { origins: example.com }\nscenarios: []\n")?.contains("expected a list of origins") == true)
        #expect(error("providers:\n  a: { host_check: yes please }\nscenarios: []\n")?.contains("providers.a.host_check: expected true") == true)
        #expect(error("providers:\n  a: { api: openai, host_check: true }\nscenarios: []\n")?.contains("only a fake Ollama") == true)
        // Generation slots: a whole number of at least one, on a fake Ollama run here.
        #expect(try LabConfigParser.parse("providers:\n  a: { parallel: 2 }\nscenarios: []\n", file: "lab.conf").providers[0].parallel == 2)
        #expect(error("providers:\n  a: { parallel: 0 }\nscenarios: []\n")?.contains("providers.a.parallel: expected at least 1") == true)
        #expect(error("providers:\n  a: { api: anthropic, parallel: 1 }\nscenarios: []\n")?.contains("only a fake Ollama has generation slots") == true)
        #expect(error("providers:\n  a: { url: \"http://10.0.0.5:11434\", parallel: 1 }\nscenarios: []\n")?.contains("lab mock --parallel") == true)
    }

    @Test func aRepeatPastTheScenarioLimitIsRefusedNotAllocated() throws {
        // 2⁶³−1 repeats asked for an array that size: the lab aborted instead of saying why.
        let scenario = "providers:\n  a: {}\nscenarios:\n  - name: s\n    portkey_config: { provider: ollama, custom_host: \"http://localhost:1\" }\n"
        #expect(error(scenario + "    repeat: 9223372036854775807\n")?.hasPrefix(
            "lab.conf:6: scenarios[0].repeat: at most 1000000 requests fit in one scenario, got 9223372036854775807") == true)
        #expect(error(scenario + "    prompts: [a, b]\n    repeat: 1000001\n")?.contains("scenarios[0].repeat: at most 1000000") == true)
        #expect(try LabConfigParser.parse(scenario + "    repeat: 3\n", file: "lab.conf").scenarios[0].requests.count == 3)
    }

    @Test func figuresPastWhatTheLabCanHoldAreRefusedWithTheirPlace() throws {
        // Each of these once trapped (Int overflow, a Double too large for an Int) in lab
        // check or lab run; now lab check names the field.
        let providers = "providers:\n  a: {}\n"
        let scenario = "scenarios:\n  - name: s\n    portkey_config: { provider: ollama, custom_host: \"http://localhost:1\" }\n"
        let cases: [(String, String)] = [
            ("edge: { timeout_ms: 9223372036854775807 }\n" + providers + "scenarios: []\n",
             "lab.conf:1: edge.timeout_ms: expected at most 315360000000 (ten years of milliseconds), got 9223372036854775807"),
            ("providers:\n  a: { pacing: { tokens_per_second: 1e-300 } }\nscenarios: []\n",
             "lab.conf:2: providers.a.pacing.tokens_per_second: expected tokens per second from 0.001 to 1000000, got 1e-300"),
            ("providers:\n  a: { pacing: { tokens_per_second: fast } }\nscenarios: []\n",
             "lab.conf:2: providers.a.pacing.tokens_per_second: expected tokens per second from 0.001 to 1000000, got \"fast\""),
            ("providers:\n  a: { pacing: { ttft_ms: 9223372036854775807 } }\nscenarios: []\n",
             "lab.conf:2: providers.a.pacing.ttft_ms: expected at most 315360000000"),
            ("providers:\n  a: { pacing: { load_ms: 9223372036854775807 } }\nscenarios: []\n",
             "lab.conf:2: providers.a.pacing.load_ms: expected at most 315360000000"),
            (providers + scenario + "    expect: { latency_ms: { max: 1e308 } }\n",
             "lab.conf:6: scenarios[0].expect.latency_ms.max: expected milliseconds, 0 or more, got 1e+308"),
            (providers + scenario + "    expect: { latency_ms: { min: soon } }\n",
             "lab.conf:6: scenarios[0].expect.latency_ms.min: expected milliseconds, 0 or more, got \"soon\""),
            (providers + scenario + "    load: { rate_per_s: 1e308, duration_s: 10 }\n",
             "lab.conf:6: scenarios[0].load.rate_per_s: expected requests per second greater than 0, at most 1000000, got 1e+308"),
            (providers + scenario + "    load: { rate_per_s: 1, duration_s: 1e300 }\n",
             "lab.conf:6: scenarios[0].load.duration_s: expected seconds greater than 0, at most ten years, got 1e+300"),
            (providers + scenario + "    load: { rate_per_s: 1000000, duration_s: 300000000 }\n",
             "lab.conf:6: scenarios[0].load: rate_per_s × duration_s asks for 300000000000000 requests; at most 1000000 fit in one scenario"),
            (providers + scenario + "    load: { rate_per_s: 1, duration_s: 3600, window_s: 1e-300 }\n",
             "lab.conf:6: scenarios[0].load.window_s: the run would be cut into more than 10000 report windows; give at least 0.36 s"),
            (providers + scenario + "    requests: { count: 10, every_ms: 1e308 }\n",
             "lab.conf:6: scenarios[0].requests.every_ms: expected milliseconds greater than 0, got 1e+308"),
            (providers + scenario + "    requests: { count: 1000, every_ms: 315360000000 }\n",
             "lab.conf:6: scenarios[0].requests: count × every_ms spans more than ten years of lab time"),
            ("time_scale: 1e308\n" + providers + "scenarios: []\n",
             "lab.conf:1: time_scale: expected a number greater than 0 and at most 1000"),
            (providers + scenario + "    request: { client_retries: 9223372036854775807 }\n",
             "lab.conf:6: scenarios[0].request.client_retries: expected at most 100, got 9223372036854775807"),
            ("ports: { gateway: 70000 }\n" + providers + "scenarios: []\n",
             "lab.conf:1: ports.gateway: expected a port from 0 (any free port) to 65535"),
        ]
        for (text, message) in cases {
            let e = error(text)
            #expect(e?.hasPrefix(message) == true, "\(e ?? "no error") for \(text)")
        }
        // A single figure is an exact time, as for ttft_ms.
        let exact = try LabConfigParser.parse(providers + scenario + "    expect: { latency_ms: 1500 }\n", file: "lab.conf")
        #expect(exact.scenarios[0].expect.latencyMinMs == 1500 && exact.scenarios[0].expect.latencyMaxMs == 1500)
    }

    @Test func keepAliveIsReadAsOllamaReadsItsVariable() throws {
        func keepAlive(_ value: String) throws -> Int? {
            try LabConfigParser.parse("providers:\n  a: { keep_alive: \(value) }\nscenarios: []\n", file: "lab.conf").providers[0].keepAlive
        }
        #expect(try keepAlive("10m") == 600_000_000_000)
        #expect(try keepAlive("3600") == 3_600_000_000_000)
        #expect(try keepAlive("\"3600\"") == 3_600_000_000_000)
        #expect(try keepAlive("-1") == GoDuration.forever)
        #expect(try keepAlive("0") == 0)
        #expect(try LabConfigParser.parse("providers:\n  a: {}\nscenarios: []\n", file: "lab.conf").providers[0].keepAlive == nil)
        #expect(error("providers:\n  a: { keep_alive: 1d }\nscenarios: []\n")?.hasPrefix(
            "lab.conf:2: providers.a.keep_alive: expected a duration such as 10m, 1h30m or 24h, or whole seconds;") == true)
        #expect(error("providers:\n  a: { keep_alive: 1.5 }\nscenarios: []\n")?.contains("got 1.5") == true)
        #expect(error("providers:\n  a: { api: openai, keep_alive: 5m }\nscenarios: []\n")?.contains("only a fake Ollama keeps models in memory") == true)
        #expect(error("providers:\n  a: { url: \"http://10.0.0.5:11434\", keep_alive: 5m }\nscenarios: []\n")?.contains("lab mock --keep-alive") == true)
        // How many models fit in memory.
        #expect(try LabConfigParser.parse("providers:\n  a: { max_loaded_models: 1 }\nscenarios: []\n", file: "lab.conf").providers[0].maxLoadedModels == 1)
        #expect(error("providers:\n  a: { max_loaded_models: 0 }\nscenarios: []\n")?.contains("providers.a.max_loaded_models: expected at least 1") == true)
        #expect(error("providers:\n  a: { api: anthropic, max_loaded_models: 1 }\nscenarios: []\n")?.contains("only a fake Ollama keeps models in memory (OLLAMA_MAX_LOADED_MODELS)") == true)
        #expect(try LabConfigParser.parse("providers:\n  a: { max_queue: 4 }\nscenarios: []\n", file: "lab.conf").providers[0].maxQueue == 4)
        #expect(error("providers:\n  a: { max_queue: -1 }\nscenarios: []\n")?.contains("providers.a.max_queue: expected at least 0") == true)
        #expect(error("providers:\n  a: { api: openai, max_queue: 4 }\nscenarios: []\n")?.contains("only a fake Ollama has a scheduler's queue") == true)
    }

    @Test func pacingPerModel() throws {
        let config = try LabConfigParser.parse("""
            providers:
              a:
                models: ["llama3:70b", "llama3:8b"]
                pacing: { ttft_ms: 100 }
                model_pacing: { "llama3:70b": { ttft_ms: 1500, tokens_per_second: 12, load_ms: 30000 }, "llama3:8b": none }
            scenarios: []
            """, file: "lab.conf")
        let p = config.providers[0]
        #expect(p.pacing.timeToFirstTokenMs == 100)
        #expect(p.modelPacing["llama3:70b"]?.loadMs == 30000 && p.modelPacing["llama3:70b"]?.timeToFirstTokenMs == 1500)
        #expect(p.modelPacing["llama3:8b"]?.timeToFirstTokenMs == 0)
        #expect(error("providers:\n  a: { models: [llama3], model_pacing: { mistral: none } }\nscenarios: []\n")?.contains(
            "lab.conf:2: providers.a.model_pacing.mistral: mistral is not one of this provider's models (llama3:latest)") == true)
        #expect(error("providers:\n  a: { models: [llama3], model_pacing: { llama3: { ttft: 5 } } }\nscenarios: []\n")?.contains("providers.a.model_pacing.llama3") == true)
        #expect(error("providers:\n  a: { api: openai, models: [gpt-4o-mini], model_pacing: { gpt-4o-mini: { load_ms: 5 } } }\nscenarios: []\n")?.contains("only a fake Ollama loads models") == true)
    }

    @Test func promptsAndRepeat() throws {
        let text = base + """
              - name: many
                portkey_config: {"provider": "ollama"}
                prompts: ["a", "b"]
                repeat: 5
            """
        let c = try LabConfigParser.parse(text, file: "lab.conf")
        let labels = c.scenario("many")!.requests.map(\.label)
        #expect(labels == ["a", "b", "a", "b", "a"])
    }

    @Test func theDefaultLabConfIsValid() throws {
        let c = try LabConfigParser.load(defaultLabConf)
        #expect(c.scenarios.count >= 24)
        for name in ["simple", "all-fail", "primary-success", "stress"] { #expect(c.scenario(name) != nil) }
        #expect(c.scenario("stress")!.requests.map(\.label) == ["What is AI? Answer briefly.", "What is Python? One sentence.",
                                                              "What is Docker? One sentence.", "What is REST? One sentence.",
                                                              "What is CI/CD? One sentence."])
    }
}

/// A file of the repository, found from this file's location.
func repositoryFile(_ relative: String) -> String {
    "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/") + "/" + relative
}

/// The repository's lab.conf.
let defaultLabConf = repositoryFile("lab.conf")

@Suite struct LabConfHardeningTests {
    @Test func aliasesThatNestAliasesStopEarlyWithALine() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(name): &\(name) [" + Array(repeating: "*" + previous, count: 10).joined(separator: ", ") + "]\n"
            previous = name
        }
        text += "providers: { p: {} }\nscenarios: []\n"
        do {
            _ = try LabConfigParser.parse(text, file: "lab.conf")
            Issue.record("an alias bomb was accepted")
        } catch {
            #expect("\(error)".hasPrefix("lab.conf:"))
            #expect("\(error)".contains("once YAML aliases (*name) are expanded"))
        }
    }

    @Test func configFilesStayBesideLabConf() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("labconf-\(getpid())")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("configs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"provider":"ollama"}"#.write(to: dir.appendingPathComponent("configs/ok.json"), atomically: true, encoding: .utf8)
        try #"{"provider":"ollama"}"#.write(to: dir.appendingPathComponent("../outside-\(getpid()).json"), atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: dir.appendingPathComponent("../outside-\(getpid()).json")) }
        func conf(_ file: String) -> String { "providers: { p: {} }\nscenarios:\n  - name: x\n    portkey_config_file: \(file)\n" }
        let lab = dir.appendingPathComponent("lab.conf").path
        #expect(try LabConfigParser.parse(conf("configs/ok.json"), file: lab).scenarios.count == 1)
        for bad in ["../outside-\(getpid()).json", "configs/../../outside-\(getpid()).json", "/etc/passwd"] {
            do {
                _ = try LabConfigParser.parse(conf(bad), file: lab)
                Issue.record("\(bad) was read")
            } catch {
                #expect("\(error)".hasPrefix("\(lab):4: scenarios[0].portkey_config_file: \(bad) is outside the folder of"), "\(error)")
            }
        }
        #expect(try LabConfigParser.parse(conf("../outside-\(getpid()).json"), file: lab, filesOutside: true).scenarios.count == 1)
        try "{".write(to: dir.appendingPathComponent("configs/bad.json"), atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try LabConfigParser.parse(conf("configs/bad.json"), file: lab) }
        do { _ = try LabConfigParser.parse(conf("configs/bad.json"), file: lab) } catch {
            #expect("\(error)".hasPrefix("\(lab):4: scenarios[0].portkey_config_file:") && "\(error)".contains("is not valid JSON"))
        }
    }
}
