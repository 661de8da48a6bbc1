import Testing
import LabCore
@testable import LabKit

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
        ("providers:\n  p: {}\nscenarios:\n  - name: a\n    portkey_config: {\"provider\":\"ollama\"}\n    expect: { served_by: nobody }\n",
         "lab.conf:6: scenarios[0].expect.served_by: expected a provider name (p) or none"),
        ("providers: [\n", "lab.conf:2:"),
        ("providers:\n  p: {}\nscenarios:\n  - name: a\n    portkey_config: {\"provider\":\"ollama\"}\n  - name: a\n    portkey_config: {\"provider\":\"ollama\"}\n",
         "lab.conf:6: scenarios[1].name: another scenario is already named 'a'"),
    ])
    func errorsSayFileLineAndWhatWasExpected(text: String, prefix: String) {
        let e = error(text)
        #expect(e?.hasPrefix(prefix) == true, "\(e ?? "no error")")
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

/// The repository's lab.conf, found from this file's location.
let defaultLabConf: String = {
    var url = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
    url = "/" + url + "/lab.conf"
    return url
}()
