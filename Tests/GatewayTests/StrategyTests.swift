import Testing
import LabCore
import LabHTTP
@testable import Gateway

@Suite struct StrategyTests {
    @Test func loadbalanceFollowsWeightsAndTheSeed() throws {
        let h = try Harness()
        let config = #"{"strategy":{"mode":"loadbalance"},"targets":[\#(target("primary", #""weight":0.7"#)),\#(target("backup", #""weight":0.3"#)),\#(target("third", #""weight":0"#))]}"#
        var picks: [String] = []
        for _ in 0..<100 { picks.append(try h.send(config: config).index ?? "") }
        #expect(h.hits("third") == 0)
        #expect((55...85).contains(h.hits("primary")))
        #expect(h.hits("primary") + h.hits("backup") == 100)
        let again = try Harness()
        var second: [String] = []
        for _ in 0..<100 { second.append(try again.send(config: config).index ?? "") }
        #expect(picks == second)
    }

    @Test func loadbalanceWithEveryWeightZeroAnswersAnError() throws {
        let h = try Harness()
        let a = try h.send(config: #"{"strategy":{"mode":"loadbalance"},"targets":[\#(target("primary", #""weight":0"#))]}"#)
        #expect(a.status == 500 && a.headers["x-portkey-gateway-exception"] == "true")
    }

    @Test func loadbalanceNestedInFallback() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":503}}]"#, "backup": #"[{"fault":{"status":503}}]"#])
        let lb = #"{"strategy":{"mode":"loadbalance"},"targets":[\#(target("primary")),\#(target("backup"))]}"#
        let a = try h.send(config: #"{"strategy":{"mode":"fallback"},"targets":[\#(lb),\#(target("third"))]}"#)
        #expect(a.status == 200 && a.index == "config.targets[1]")
        #expect(h.hits("primary") + h.hits("backup") == 1)
    }

    @Test func nestedIndexPath() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":503}}]"#])
        let inner = fallback([target("primary"), target("backup")])
        let a = try h.send(config: #"{"strategy":{"mode":"fallback"},"targets":[\#(inner),\#(target("third"))]}"#)
        #expect(a.index == "config.targets[0].targets[1]")
    }

    /// The fallbacks counter is kept on the way back up the tree; it must agree with the
    /// report's reading of the answering path, for nested groups and for loadbalance picks
    /// past the first target (which are not fallbacks).
    @Test func fallbacksCounterAgreesWithTheAnsweringPath() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":503}}]"#])
        let inner = fallback([target("primary"), target("backup")])
        let configs = [
            #"{"strategy":{"mode":"fallback"},"targets":[\#(inner),\#(target("third"))]}"#,
            fallback([target("backup"), target("third")]),
            #"{"strategy":{"mode":"loadbalance"},"targets":[\#(target("third", #""weight":0"#)),\#(target("backup", #""weight":1"#))]}"#,
            fallback([target("primary"), target("third")]),
        ]
        var expected = 0
        for config in configs {
            let a = try h.send(config: config)
            let tree = try PortkeyGateway.read(try JSONParser.parse(config), policy: CustomHostPolicy())
            if tree.fallbackTriggered(at: try #require(a.index)) { expected += 1 }
        }
        #expect(expected == 2)
        #expect(h.gateway.metrics().text.contains("\nlab_gateway_fallbacks_total 2\n"))
    }

    @Test func inheritanceOfTimeoutAndRetry() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"hang":true}}]"#, "backup": #"[{"when":{"first":1},"fault":{"status":503}}]"#])
        // The backup inherits the timeout too: 2 s of lab time is 100 ms of wall time, room
        // enough for it to answer on a busy machine.
        let config = #"{"strategy":{"mode":"fallback"},"request_timeout":2000,"retry":{"attempts":1},"targets":[\#(target("primary")),\#(target("backup"))]}"#
        let a = try h.send(config: config)
        #expect(a.status == 200 && a.index == "config.targets[1]" && a.retries == "1", "\(a.status) \(a.index ?? "-") \(a.retries ?? "-") \(a.text) \(h.gateway.journal.entries.last.map { $0.json.compact } ?? "")")
        // The inherited timeout gave a 408, which the default retry codes do not list.
        #expect(h.hits("primary") == 1)
        #expect(h.gateway.journal.entries.last?.attempts.first?.status == 408)
    }

    @Test func conditionalRoutesOnMetadataParamsAndDefault() throws {
        let h = try Harness()
        let config = #"""
            {"strategy":{"mode":"conditional","conditions":[
                {"query":{"metadata.tier":{"$eq":"pro"}},"then":"fast"},
                {"query":{"$or":[{"params.max_tokens":{"$gt":500}},{"url.pathname":{"$regex":"embeddings"}}]},"then":"big"}],
             "default":"base"},
             "targets":[\#(target("primary", #""name":"fast""#)),\#(target("backup", #""name":"big""#)),\#(target("third", #""name":"base""#))]}
            """#
        #expect(try h.send(config: config, headers: ["x-portkey-metadata": #"{"tier":"pro"}"#]).index == "config.targets[0]")
        #expect(try h.send(config: config, body: #"{"model":"llama3","max_tokens":800,"messages":[{"role":"user","content":"x"}]}"#).index == "config.targets[1]")
        #expect(try h.send(config: config).index == "config.targets[2]")
        let noDefault = config.replacingOccurrences(of: #""default":"base""#, with: #""default":"nobody""#)
        let none = try h.send(config: noDefault)
        #expect(none.status == 400 && none.json["message"] == "Query router did not resolve to any valid target")
    }

    @Test func loadBalancerPickIsPure() {
        #expect(LoadBalancer.pick(weights: [nil, nil], draw: 0.49) == 0)
        #expect(LoadBalancer.pick(weights: [nil, nil], draw: 0.5) == 1)
        #expect(LoadBalancer.pick(weights: [0, 2], draw: 0) == 1)
        #expect(LoadBalancer.pick(weights: [0, 0], draw: 0.3) == nil)
    }
}

import Foundation
