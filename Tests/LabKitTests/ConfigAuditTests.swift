import Foundation
import Testing
import LabCore
@testable import LabKit

@Suite struct ConfigAuditTests {
    func audit(_ json: String, file: String = "c.json") throws -> (ConfigAudit, [AuditRow]) {
        let a = try ConfigAudit(file: file, config: try JSONParser.parse(json))
        return (a, try a.run())
    }

    func row(_ rows: [AuditRow], _ when: String) throws -> AuditRow {
        try #require(rows.first { $0.situation.when == when })
    }

    @Test func aHangWithoutRequestTimeoutIsA504FromTheRouteBeforeFallback() throws {
        let text = String(decoding: FileManager.default.contents(atPath: repositoryFile("configs/primary-backup.json"))!, as: UTF8.self)
        let (a, rows) = try audit(text, file: "configs/primary-backup.json")
        #expect(a.hosts == ["portkey-gateway-ollama", "backup-endpoint"])
        #expect(rows.map(\.situation.name) == ["healthy", "host1-503", "host1-429", "host1-hang", "host1-reset", "host1-no-model",
                                               "host2-503", "host2-429", "host2-hang", "host2-reset", "host2-no-model", "all-503", "all-hang"])
        // A default fallback moves on from the 404 of a host without the model.
        let missing = try row(rows, "portkey-gateway-ollama does not have the model (404)")
        #expect(missing.survived == true && missing.servedBy.map(\.path) == ["config.targets[1]"] && missing.tries.map(\.count) == [1, 1])
        let healthy = try row(rows, "every host answers")
        #expect(healthy.servedBy.map(\.path) == ["config.targets[0]"] && healthy.survived == true && healthy.firstError == nil)
        let down = try row(rows, "portkey-gateway-ollama answers 503")
        #expect(down.outcomes.map(\.what) == ["200"] && down.servedBy.map(\.path) == ["config.targets[1]"] && down.survived == true)
        #expect(down.tries.map(\.count) == [1, 1])
        let hang = try row(rows, "portkey-gateway-ollama hangs (accepts, never answers)")
        #expect(hang.outcomes.map(\.what) == ["504 from the route"] && hang.survived == false)
        #expect(hang.longestMs == 30_000 && hang.tries.map(\.count) == [1, 0])
        #expect(try row(rows, "every host answers 503").survived == nil)
        let text2 = AuditReport.render(a, rows: rows).joined(separator: "\n")
        #expect(text2.contains("✗ 1 of 10 failures of one host reach the client although another host could answer:\n    - portkey-gateway-ollama hangs (accepts, never answers): 504 from the route"))
        #expect(AuditReport.render(a, rows: rows).last == "  Why, attempt by attempt: lab audit configs/primary-backup.json --write-lab audit.conf, then lab explain host1-hang --config audit.conf")
        #expect(AuditReport.render(a, rows: rows, writtenLab: "mine.conf").last == "  Why, attempt by attempt: lab explain host1-hang --config mine.conf")
        let json = AuditReport.json(a, rows: rows)
        #expect(json["not_survived"] == 1)
        #expect(json["situations"]?.arrayValue?[3]["outcomes"]?["504 from the route"] == 1)
    }

    @Test func theWrittenLabFailsWhereTheAuditMarksAFailureThatReachesTheClient() throws {
        let text = String(decoding: FileManager.default.contents(atPath: repositoryFile("configs/primary-backup.json"))!, as: UTF8.self)
        let (a, rows) = try audit(text, file: "configs/primary-backup.json")
        #expect(a.labConf.hasPrefix("# Written by `lab audit configs/primary-backup.json`"))
        // What --write-lab writes, read back as `lab run --config` reads it.
        let lab = try LabConfigParser.parse(a.labConf, file: "audit.conf")
        #expect(lab.scenarios.map(\.name) == rows.map(\.situation.name))
        #expect(lab.scenarios.filter { $0.name.hasPrefix("all-") }.allSatisfy { $0.expect.isEmpty })
        #expect(lab.scenarios.filter { !$0.name.hasPrefix("all-") }.allSatisfy { $0.expect.minSuccessRate == 1 })
        let env = try LabEnvironment(config: lab)
        defer { env.shutdown() }
        let runner = ScenarioRunner(env: env)
        let failed = lab.scenarios.map { runner.run($0) }.filter { !$0.passed }.map(\.scenario.name)
        #expect(failed == rows.filter { $0.survived == false }.map(\.situation.name))
        #expect(failed == ["host1-hang"])
    }

    @Test func statusCodesThatLeaveOutATimeoutOrANetworkErrorStopTheFallback() throws {
        let (_, rows) = try audit("""
            {"strategy":{"mode":"fallback","on_status_codes":[429,503]},"targets":[
              {"provider":"ollama","custom_host":"http://gpu-a:11434","request_timeout":10000,"retry":{"attempts":3}},
              {"provider":"ollama","custom_host":"http://gpu-b:11434"}]}
            """)
        let busy = try row(rows, "gpu-a answers 503")
        // Three retries (1 + 2 + 4 s of backoff) before the fallback.
        #expect(busy.survived == true && busy.tries.map(\.count) == [4, 1])
        let hang = try row(rows, "gpu-a hangs (accepts, never answers)")
        #expect(hang.outcomes.map(\.what) == ["408"] && hang.longestMs == 10_000 && hang.survived == false)
        let reset = try row(rows, "gpu-a resets the connection")
        #expect(reset.outcomes.map(\.what) == ["500"] && reset.tries.map(\.count) == [4, 0] && reset.survived == false)
        // A host without the model answers Ollama's 404, which these codes leave out too (and
        // which is not retried).
        let missing = try row(rows, "gpu-a does not have the model (404)")
        #expect(missing.outcomes.map(\.what) == ["404"] && missing.tries.map(\.count) == [1, 0] && missing.survived == false)
        #expect(missing.firstError == "ollama error: model 'llama3' not found")
    }

    /// Each vendor's host without the model answers in that vendor's words.
    @Test func aHostWithoutTheModelAnswersItsVendorsOwn404() throws {
        let (a, rows) = try audit(#"{"strategy":{"mode":"fallback","on_status_codes":[429,503]},"targets":[{"provider":"openai","api_key":"k","custom_host":"http://oa:1/v1","override_params":{"model":"gpt-4o-mini"}},{"provider":"anthropic","api_key":"k","custom_host":"http://an:1/v1","override_params":{"model":"claude-haiku-4-5","max_tokens":50}},{"provider":"ollama","custom_host":"http://ol:11434"}]}"#)
        #expect(try row(rows, "oa does not have the model (404)").firstError == "openai error: The model `gpt-4o-mini` does not exist or you do not have access to it.")
        #expect(try row(rows, "every host answers").survived == true)
        // Its rule answers only the models asked of that host: the lab says which.
        #expect(a.labConf.contains(#"faults: {"host2":[{"match":{"model":"claude-haiku-4-5"},"fault":{"status":404,"body":{"type":"error","error":{"type":"not_found_error","message":"model: claude-haiku-4-5"},"request_id":"req_lab_fault"}}}]}"#))
        #expect(a.labConf.contains(#"{"match":{"model":"llama3"},"fault":{"status":404,"body":{"error":{"message":"model 'llama3' not found""#))
    }

    @Test func aConfigThatSurvivesEveryFailureOfOneHost() throws {
        let (_, rows) = try audit("""
            {"strategy":{"mode":"fallback"},"targets":[
              {"provider":"ollama","custom_host":"http://a:11434","request_timeout":10000},
              {"provider":"ollama","custom_host":"http://b:11434","request_timeout":10000}]}
            """)
        #expect(rows.filter { $0.survived != nil }.count == 11)
        #expect(rows.allSatisfy { $0.survived != false })
        #expect(try row(rows, "a hangs (accepts, never answers)").longestMs > 10_000)
    }

    @Test func aLoadbalanceIsAuditedOverManyDrawsAndTargetsWithoutCustomHostAreFakedAtTheVendorsHost() throws {
        let (a, rows) = try audit("""
            {"strategy":{"mode":"loadbalance"},"targets":[
              {"provider":"openai","api_key":"sk-x","override_params":{"model":"gpt-4o-mini"}},
              {"provider":"anthropic","api_key":"sk-y","override_params":{"model":"claude-sonnet-4-6"}}]}
            """)
        #expect(a.requestsPerSituation == 20)
        #expect(a.leaves.map(\.customHost) == ["http://api.openai.com/v1", "http://api.anthropic.com/v1"])
        #expect(a.leaves.allSatisfy { $0.vendorDefault })
        #expect(a.config["targets"]?.arrayValue?[0]["custom_host"] == "http://api.openai.com/v1")
        let healthy = try row(rows, "every host answers")
        #expect(healthy.succeeded == 20 && Set(healthy.servedBy.map(\.path)) == ["config.targets[0]", "config.targets[1]"])
        // No fallback in a loadbalance: the draws that land on the failing host fail.
        let down = try row(rows, "api.openai.com answers 503")
        #expect(down.survived == false && down.succeeded > 0 && down.succeeded < 20)
    }

    /// A canary at 1 %: twenty draws may never reach it, and that is said, not taken for
    /// survival; more requests find every failure of it.
    @Test func aSmallLoadbalanceWeightNeedsMoreDraws() throws {
        let config = try JSONParser.parse(#"{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"ollama","custom_host":"http://main:11434","weight":0.99},{"provider":"ollama","custom_host":"http://canary:11434","weight":0.01}]}"#)
        let few = try ConfigAudit(file: "c.json", config: config)
        let fewRows = try few.run()
        let unreached = fewRows.filter { $0.situation.failing == ["canary"] && $0.tries[1].count == 0 }
        #expect(!unreached.isEmpty && unreached.allSatisfy { $0.survived == nil })
        #expect(AuditReport.render(few, rows: fewRows).contains("  No request was drawn to canary while it failed: raise --requests (now 20) to see its failures."))
        let many = try ConfigAudit(file: "c.json", config: config, requests: 500)
        let rows = try many.run()
        #expect(rows.filter { $0.situation.failing == ["canary"] }.allSatisfy { $0.survived == false && $0.tries[1].count > 0 })
        #expect(!AuditReport.render(many, rows: rows).contains { $0.hasPrefix("  No request was drawn") })
        #expect(throws: ConfigAudit.Refusal.self) { try ConfigAudit(file: "c.json", config: config, requests: 0) }
    }

    @Test func whatCannotBeAuditedIsSaidInTheGatewaysWordsOrTheLabs() throws {
        func refusal(_ json: String) -> String? {
            do { _ = try ConfigAudit(file: "c.json", config: try JSONParser.parse(json)); return nil } catch { return "\(error)" }
        }
        #expect(refusal(#"{"strategy":{"mode":"fallbak"},"targets":[{"provider":"ollama","custom_host":"http://a:1"}]}"#)?
            .hasPrefix(#"the gateway would refuse this config: 400 {"status":"failure","message":"Invalid config passed","errors":["path: strategy,mode"#) == true)
        #expect(refusal(#"{"provider":"ollama","custom_host":"http://10.0.0.5:11434"}"#)?.contains("Invalid custom host") == true)
        #expect(refusal(#"{"strategy":{"mode":"fallback"},"targets":[{"provider":"groq","api_key":"k"}]}"#)
            == "config.targets[0] uses provider 'groq': the lab fakes ollama, openai and anthropic")
        #expect(refusal("[1]") == "expected a Portkey config object")
        #expect(refusal(#"{"provider":"ollama","custom_host":"http://a:1","override_params":{"model":"x\ny"}}"#)
            == #"the lab cannot fake this config: providers.host1.models[0]: not a valid model name: "x\ny""#)
        let many = (0...ConfigAudit.maxHosts).map { #"{"provider":"ollama","custom_host":"http://h\#($0):11434"}"# }.joined(separator: ",")
        #expect(refusal(#"{"strategy":{"mode":"fallback"},"targets":[\#(many)]}"#)?.hasPrefix("the config names 101 hosts; an audit fakes at most 100") == true)
        #expect(refusal(#"{"strategy":{"mode":"fallback"},"targets":[{"request_timeout":5000}]}"#) == "config.targets[0] names no provider")
        #expect(refusal(#"{"strategy":{"mode":"fallback"},"targets":[{"provider":"ollama","custom_host":"http://h:1"},{"provider":"openai","api_key":"k","custom_host":"http://H:2/v1"}]}"#)
            == "config.targets[0] (ollama) and config.targets[1] (openai) share the host h: the lab fakes one vendor per host")
    }

    @Test func aStreamCutAfterItBeganCannotFallBack() throws {
        let text = String(decoding: FileManager.default.contents(atPath: repositoryFile("configs/openai-anthropic.json"))!, as: UTF8.self)
        let a = try ConfigAudit(file: "configs/openai-anthropic.json", config: try JSONParser.parse(text), stream: true)
        let rows = try a.run()
        #expect(rows.count == 15 && a.lab.scenarios.allSatisfy { $0.requests.allSatisfy(\.stream) })
        let cut = try row(rows, "openai-proxy cuts its stream after 3 chunks")
        #expect(cut.outcomes.map(\.what) == ["200, cut short"] && cut.servedBy.isEmpty && cut.survived == false)
        #expect(cut.tries.map(\.count) == [1, 0])
        // Before the first byte a stream still falls back.
        #expect(try row(rows, "openai-proxy answers 503").servedBy.map(\.path) == ["config.targets[1]"])
        #expect(AuditReport.json(a, rows: rows)["stream"] == true)
    }

    /// The fallback refuses what the primary takes (max_tokens past the fallback model's
    /// limit): every failure of the primary reaches the client as the fallback's 400, said
    /// in the vendor's words; and a config that fails with every host answering says so.
    @Test func aFallbackThatRefusesTheRequestIsFoundAndItsErrorQuoted() throws {
        let (_, rows) = try audit(#"{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai","api_key":"k","custom_host":"http://oa:1/v1","override_params":{"model":"gpt-4o-mini"}},{"provider":"anthropic","api_key":"k","custom_host":"http://an:1/v1","override_params":{"model":"claude-haiku-4-5","max_tokens":100000}}]}"#)
        let down = try row(rows, "oa answers 503")
        #expect(down.outcomes.map(\.what) == ["400"] && down.survived == false)
        #expect(down.firstError == "anthropic error: max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-haiku-4-5")
        #expect(try row(rows, "oa hangs (accepts, never answers)").firstError == nil)

        let (a, broken) = try audit(#"{"provider":"anthropic","api_key":"k","custom_host":"http://an:1/v1","override_params":{"model":"claude-haiku-4-5","max_tokens":100000}}"#)
        #expect(broken[0].survived == false)
        let text = AuditReport.render(a, rows: broken)
        #expect(text.contains("  ✗ With every host answering, 1 of 1 request fails: 400 (anthropic error: max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-haiku-4-5)"))
        #expect(CIOutput.markdown(a, rows: broken).hasPrefix("### lab audit: c.json — fails with every host answering; one host only\n"))
    }

    /// The client's own request (`--request`): what the OpenAI primary takes and the
    /// Anthropic fallback refuses of it, and structured output that only the primary keeps.
    @Test func theClientsOwnRequestMeetsWhatTheFallbackRefuses() throws {
        let config = try JSONParser.parse(#"{"strategy":{"mode":"fallback","on_status_codes":[429,503]},"targets":[{"provider":"openai","api_key":"k","custom_host":"http://oa:1/v1","override_params":{"model":"gpt-4o-mini"}},{"provider":"anthropic","api_key":"k","custom_host":"http://an:1/v1","override_params":{"model":"claude-haiku-4-5","max_tokens":512}}]}"#)
        let history = try JSONParser.parse(#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Sum it up."},{"role":"assistant","content":""},{"role":"user","content":"Again."}]}"#)
        let chat = try ConfigAudit(file: "c.json", config: config, request: history)
        let rows = try chat.run()
        #expect(try row(rows, "every host answers").survived == true)
        let down = try row(rows, "oa answers 503")
        #expect(down.survived == false && down.outcomes.map(\.what) == ["400"])
        #expect(down.firstError == "anthropic error: messages.1: all messages must have non-empty content except for the optional final assistant message")
        #expect(chat.labConf.contains(#""messages":[{"role":"user","content":"Sum it up."},{"role":"assistant","content":""},{"role":"user","content":"Again."}],"stream":false"#))
        #expect(!chat.labConf.contains("max_tokens\":100"), "the client's request is sent as it is")

        let structured = try JSONParser.parse(#"{"messages":[{"role":"user","content":"Classify."}],"stream":true,"response_format":{"type":"json_object"}}"#)
        let schema = try ConfigAudit(file: "c.json", config: config, model: "gpt-4o-mini", request: structured)
        #expect(schema.wantsJSON && schema.stream && schema.situations.contains { $0.name == "host1-cut" })
        let schemaRows = try schema.run()
        #expect(try row(schemaRows, "every host answers").survived == true)
        let limited = try row(schemaRows, "oa answers 429 (Retry-After: 5)")
        #expect(limited.survived == false && limited.outcomes.map(\.what) == ["200, not JSON"])
        #expect(limited.firstError?.hasPrefix("content that is not JSON: ") == true)
        #expect(schema.labConf.contains("expect: { success_rate: { min: 1 }, content_json: true }"))
        #expect(AuditReport.json(schema, rows: schemaRows)["request"] == structured)
        // Each target says what the gateway's translation does to the request for it.
        #expect(schema.leaves.map(\.changes) == [[], ["not passed on: response_format"]])
        #expect(AuditReport.render(schema, rows: schemaRows).contains("                     the gateway's translation of the request: not passed on: response_format"))
        #expect(AuditReport.json(schema, rows: schemaRows)["targets"]?.arrayValue?.map { $0["changes"] } == [nil, ["not passed on: response_format"]])
        #expect(AuditReport.json(try ConfigAudit(file: "c.json", config: config), rows: [])["request"] == nil)

        for (bad, message) in [("[]", "the request must be a JSON object"), (#"{"model":""}"#, "the request's model must be a model name"),
                               (#"{"stream":"yes"}"#, "the request's stream must be true or false")] {
            #expect(throws: ConfigAudit.Refusal.self) { try ConfigAudit(file: "c.json", config: config, request: try JSONParser.parse(bad)) }
            do { try ConfigAudit.check(request: try JSONParser.parse(bad)) } catch { #expect("\(error)".hasPrefix(message)) }
        }
    }

    @Test func metadataTakesAConditionalRouteDownItsBranch() throws {
        let config = try JSONParser.parse(#"{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.tier":{"$eq":"pro"}},"then":"fast"}],"default":"slow"},"targets":[{"name":"fast","provider":"ollama","custom_host":"http://fast:11434"},{"name":"slow","provider":"ollama","custom_host":"http://slow:11434"}]}"#)
        let plain = try ConfigAudit(file: "c.json", config: config).run()
        #expect(try row(plain, "every host answers").servedBy.map(\.path) == ["config.targets[1]"])
        let pro = try ConfigAudit(file: "c.json", config: config, metadata: ["tier": "pro"])
        let rows = try pro.run()
        #expect(try row(rows, "every host answers").servedBy.map(\.path) == ["config.targets[0]"])
        // A conditional route has no fallback: the branch's host failing reaches the client.
        #expect(try row(rows, "fast answers 503").survived == false)
        #expect(try row(rows, "slow answers 503").survived == true)
        #expect(AuditReport.json(pro, rows: rows)["metadata"] == ["tier": "pro"])
        #expect(throws: ConfigAudit.Refusal.self) { try ConfigAudit(file: "c.json", config: config, metadata: [1]) }
    }

    @Test func anHTTPSHostIsFakedUnderItsNameOverHTTP() throws {
        let (a, rows) = try audit(#"{"strategy":{"mode":"fallback"},"custom_host":"https://llm.corp.example/v1","targets":[{"provider":"openai","api_key":"k"},{"provider":"openai","api_key":"k","custom_host":"http://spare.example:8080/v1"}]}"#)
        #expect(a.leaves.map(\.customHost) == ["http://llm.corp.example/v1", "http://spare.example:8080/v1"])
        #expect(a.leaves.map(\.overHTTP) == [true, false] && a.leaves.map(\.vendorDefault) == [false, false])
        #expect(a.config["targets"]?.arrayValue?[0]["custom_host"] == "http://llm.corp.example/v1")
        #expect(try row(rows, "every host answers").servedBy.map(\.path) == ["config.targets[0]"])
        #expect(AuditReport.render(a, rows: rows)[1].hasSuffix("(https: faked over http)"))
    }

    @Test func aCamelCaseHTTPSHostIsReplacedNotDoubled() throws {
        let (a, rows) = try audit(#"{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai","api_key":"k","customHost":"https://llm.example/v1"},{"provider":"openai","api_key":"k","customHost":"http://spare.example/v1"}]}"#)
        let first = try #require(a.config["targets"]?.arrayValue?[0])
        #expect(first["custom_host"] == "http://llm.example/v1" && first["customHost"] == nil)
        #expect(try row(rows, "every host answers").servedBy.map(\.path) == ["config.targets[0]"])
        #expect(try row(rows, "llm.example answers 503").servedBy.map(\.path) == ["config.targets[1]"])
    }

    @Test func oneHostHasNothingToFallBackTo() throws {
        let (a, rows) = try audit(#"{"provider":"ollama","custom_host":"http://only:11434"}"#)
        #expect(a.leaves.map(\.path) == ["config"] && rows.count == 6)
        #expect(rows.dropFirst().allSatisfy { $0.survived == nil } && rows[0].survived == true)
        #expect(AuditReport.render(a, rows: rows).last == "  One host only: every failure reaches the client (nothing to fall back to).")
    }

    /// docs/audit.md shows two audits as they print: they must stay what `lab audit` prints.
    @Test func theDocsExamplesAreWhatTheAuditPrints() throws {
        let doc = try String(contentsOfFile: repositoryFile("docs/audit.md"), encoding: .utf8)
        func shown(_ command: String) throws -> String {
            let after = try #require(doc.components(separatedBy: "```\n$ \(command)\n").dropFirst().first)
            return try #require(after.components(separatedBy: "\n```").first)
        }
        let retry = try #require(doc.components(separatedBy: "```json\n").dropFirst().first?.components(separatedBy: "\n```").first)
        let examples = [("configs/primary-backup.json", String(decoding: FileManager.default.contents(atPath: repositoryFile("configs/primary-backup.json"))!, as: UTF8.self)),
                        ("retry.json", retry)]
        for (file, text) in examples {
            let (a, rows) = try audit(text, file: file)
            #expect(AuditReport.render(a, rows: rows).joined(separator: "\n") == (try shown("lab audit \(file)")))
        }
        // The request example: its lines, between the elisions, are what the audit prints.
        let request = try #require(doc.components(separatedBy: "$ cat request.json\n").dropFirst().first?.components(separatedBy: "\n$ ").first)
        let command = "lab audit configs/openai-anthropic.json --request request.json"
        let config = try JSONParser.parse(Array(FileManager.default.contents(atPath: repositoryFile("configs/openai-anthropic.json"))!))
        let a = try ConfigAudit(file: "configs/openai-anthropic.json", config: config, request: try JSONParser.parse(request))
        let printed = AuditReport.render(a, rows: try a.run())
        let output = try #require(doc.components(separatedBy: "$ \(command)\n").dropFirst().first?.components(separatedBy: "\n```").first)
        let lines = output.split(separator: "\n").map(String.init).filter { $0.trimmingCharacters(in: .whitespaces) != "…" }
        #expect(!lines.isEmpty)
        for line in lines { #expect(printed.contains(line), "\(line)") }
    }

    @Test func settingAKeyOnANestedTarget() throws {
        let config = try JSONParser.parse(#"{"strategy":{"mode":"fallback"},"targets":[{"provider":"ollama"},{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"openai"}]}]}"#)
        let set = ConfigAudit.setting("custom_host", to: "http://x", at: [1, 0], in: config)
        #expect(set["targets"]?.arrayValue?[1]["targets"]?.arrayValue?[0]["custom_host"] == "http://x")
        #expect(set["targets"]?.arrayValue?[0]["custom_host"] == nil)
        #expect(ConfigAudit.setting("k", to: 1, at: [5], in: config) == config)
    }
}
