import Testing
import LabCore
import LabHTTP
import ProviderHost
@testable import Gateway

/// Attacks on the gateway, each a regression test.
@Suite(.serialized) struct GatewayHardeningTests {
    /// `(a+)+$` against 40 a's and a '!' would backtrack for days; the mocks must keep
    /// answering and the request must end, with a message that says why.
    @Test func aPathologicalRegexNeitherFreezesTheLabNorHangsTheRequest() throws {
        let h = try Harness(clock: .realTime)
        let config = #"""
            {"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.x":{"$regex":"(a+)+$"}},"then":"a"}],"default":"b"},
             "targets":[{"name":"a","provider":"ollama","custom_host":"http://primary:11434"},{"name":"b","provider":"ollama","custom_host":"http://backup:11434"}]}
            """#
        let metadata = JSONValue.object([("x", .string(String(repeating: "a", count: 40) + "!"))]).compact
        var health: Int?
        let client = HTTPClient(loop: h.loop)
        client.fetch(try ClientRequest(method: "GET", url: h.providers["primary"]!.url + "/__lab/health")) { health = try? $0.get().status }
        let a = try h.send(config: config, headers: ["x-portkey-metadata": metadata])
        h.loop.run(until: { health != nil }, timeoutMs: 5000)
        #expect(a.status == 500 && a.headers["x-portkey-gateway-exception"] == "true")
        #expect(a.json["message"]?.stringValue?.contains("gave up on $regex \"(a+)+$\" against metadata.x") == true)
        #expect(health == 200)
        #expect(h.hits("primary") == 0 && h.hits("backup") == 0)
    }

    @Test func otherSpellingsOfAPrivateAddressAreRefused() throws {
        for host in ["10.200.2", "0xa.0xc8.0.2", "180879362", "012.200.0.2", "[::1]", "localhost.", "x@evil.com"] {
            let config = #"{"provider":"ollama","custom_host":"http://\#(host):11434"}"#
            do {
                _ = try PortkeyGateway.intake(["x-portkey-config": config], policy: CustomHostPolicy())
                Issue.record("\(host) was accepted")
            } catch {
                #expect(error.body.compact == #"{"status":"failure","message":"Invalid config passed","errors":["path: , message: Invalid custom host"]}"#)
            }
        }
    }

    /// `custom_host + /v1/chat/completions` is plain text concatenation: a host ending
    /// in `/__lab/down?` would make the gateway switch a mock off.
    @Test func theControlAPIIsNotReachableThroughTheGateway() throws {
        let h = try Harness()
        for host in ["http://primary:11434/__lab/down?", "http://primary:11434/%5F%5Flab/down#", "http://primary:11434/x/../__LAB/down?"] {
            let a = try h.send(config: #"{"provider":"ollama","custom_host":"\#(host)"}"#)
            #expect(a.status == 400 && a.text.contains("Invalid custom host"), "\(host)")
            let b = try h.send(config: #"{"provider":"ollama"}"#, headers: ["x-portkey-custom-host": host])
            #expect(b.status == 400 && b.json == ["status": "failure", "message": "Invalid custom host"], "\(host)")
        }
        #expect(h.providers["primary"]!.isUp)
        // And what the gateway sends on is marked, so a mock's control API refuses it.
        var seen: HTTPHeaders?
        let upstream = try HTTPServer(loop: h.loop) { request, responder in
            seen = request.headers
            responder.send(WireScript.respond(status: 200, contentType: "application/json", body: "{}"))
        }
        _ = try h.send(config: #"{"provider":"ollama","custom_host":"http://127.0.0.1:\#(upstream.port)"}"#)
        #expect(seen?[HTTPHeaders.labRelay] == "gateway")
    }

    /// The gateway's schema reads these as z.number(): any number is accepted.
    @Test func numbersValidateAsTheGatewaysSchemaDoes() throws {
        func intake(_ config: String) throws -> PortkeyTarget {
            try PortkeyGateway.intake(["x-portkey-config": config], policy: CustomHostPolicy())
        }
        func target(_ extra: String) -> String { #"{"provider":"ollama",\#(extra)}"# }
        for (attempts, retries) in [("-5", 0), ("1.5", 2), ("1e300", ConfigParser.maxRetries), (#""3""#, 3), ("0", 0), (#""x""#, 0)] {
            let t = try intake(target(#""retry":{"attempts":\#(attempts)}"#))
            #expect(t.retry?.attempts == retries, "attempts \(attempts)")
        }
        #expect(try intake(target(#""request_timeout":-1"#)).requestTimeoutMs == 1)
        #expect(try intake(target(#""request_timeout":1e300"#)).requestTimeoutMs == 1)
        #expect(try intake(target(#""request_timeout":0"#)).requestTimeoutMs == nil)
        #expect(try intake(target(#""request_timeout":2500.7"#)).requestTimeoutMs == 2500)
        #expect(try intake(#"{"strategy":{"mode":"fallback","on_status_codes":[429.5,-1,1e300,503]},"targets":[{"provider":"ollama"}]}"#).onStatusCodes == [-1, 503])
        #expect(try intake(#"{"strategy":{"mode":"loadbalance"},"targets":[{"provider":"ollama","weight":-1}]}"#).targets[0].weight == -1)
        do throws(GatewayFailure) {
            _ = try PortkeyGateway.intake(["x-portkey-config": target(#""retry":{"attempts":true},"request_timeout":"5","weight":null"#)], policy: CustomHostPolicy())
            Issue.record("accepted")
        } catch {
            // In the schema's key order, as zod reports them.
            #expect(error.body["errors"] == ["path: retry,attempts, message: Expected number, received boolean",
                                             "path: weight, message: Expected number, received null",
                                             "path: request_timeout, message: Expected number, received string"])
        }
    }

    /// Backoff for a thousand retries, and waits of centuries, must not overflow.
    @Test func absurdWaitsDoNotTrap() {
        #expect(RetryPolicy.backoffMs(beforeRetry: 1000) > 0)
        let loop = EventLoop(clock: .simulation)
        var fired = false
        loop.after(ms: 1e300) { fired = true }
        #expect(!loop.run(until: { fired }, timeoutMs: 1000))
    }

    /// Node parses a config of a thousand nested targets; so does the gateway here.
    @Test func aConfigAThousandLevelsDeepRoutes() throws {
        let h = try Harness()
        var config = #"{"provider":"ollama","custom_host":"http://primary:11434","override_params":{"model":"llama3"}}"#
        for _ in 0..<1000 { config = #"{"strategy":{"mode":"fallback"},"targets":["# + config + "]}" }
        let a = try h.send(config: config)
        #expect(a.status == 200 && h.hits("primary") == 1)
        #expect(a.index?.hasPrefix("config.targets[0].targets[0]") == true)
        var tooDeep = "1"
        for _ in 0..<5000 { tooDeep = "[" + tooDeep + "]" }
        let b = try h.send(config: #"{"strategy":{"mode":"fallback"},"targets":"# + tooDeep + "}")
        #expect(b.status == 400 && b.json["message"] == "Invalid config passed. You need to pass a valid json")
    }

    /// An upstream that never stops sending (a broken host beside a real deployment)
    /// must not grow the gateway's memory without end: past the limit it is cut off.
    @Test func anUpstreamAnswerOverTheLimitIsCutOff() throws {
        func run(limit: Int, stream: Bool) throws -> Harness.Answer {
            let h = try Harness(upstreamBodyLimit: limit)
            let padding = String(repeating: "x", count: 3000)
            let upstream = try HTTPServer(loop: h.loop) { _, responder in
                if stream {
                    responder.send(WireScript([
                        .head(status: 200, headers: ["Content-Type": "text/event-stream"]),
                        .body(Array("data: {\"id\":\"a\",\"object\":\"chat.completion.chunk\",\"choices\":[]}\n\n".utf8)),
                        .body(Array("data: {\"pad\":\"\(padding)".utf8)), .body(Array(padding.utf8)), .body(Array("\"}\n\n".utf8)),
                        .body(Array("data: [DONE]\n\n".utf8)), .end]))
                } else {
                    responder.send(WireScript([
                        .head(status: 200, headers: ["Content-Type": "application/json"]),
                        .body(Array(#"{"id":"a","object":"chat.completion","created":1,"model":"llama3","choices":[{"index":0,"message":{"role":"assistant","content":""#.utf8)),
                        .body(Array(padding.utf8)), .body(Array(padding.utf8)), .body(Array(#""},"finish_reason":"stop"}]}"#.utf8)), .end]))
                }
            }
            let body = #"{"model":"llama3","stream":\#(stream),"messages":[{"role":"user","content":"hi"}]}"#
            let a = try h.send(config: #"{"provider":"ollama","custom_host":"http://127.0.0.1:\#(upstream.port)"}"#, body: body)
            let outcome = try #require(h.gateway.journal.entries.last?.attempts.last?.outcome)
            if limit < 6000, !stream { #expect(outcome == .brokeAfterHead(200, "body over \(limit) bytes")) }
            if stream { #expect(h.gateway.journal.entries.last?.truncated == (limit < 6000)) }
            return a
        }
        let whole = try run(limit: 10_000, stream: false)
        #expect(whole.status == 200 && whole.json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue?.count == 6000)
        let cut = try run(limit: 4000, stream: false)
        #expect(cut.status == 500 && cut.json["message"] == "Something went wrong" && cut.headers["x-portkey-gateway-exception"] == "true")
        // A stream is held to the limit per event: the whole stream is larger than either limit.
        let streamed = try run(limit: 7000, stream: true)
        #expect(streamed.error == nil && streamed.text.contains("[DONE]"))
        let cutStream = try run(limit: 4000, stream: true)
        #expect(cutStream.error != nil || !cutStream.text.contains("[DONE]"))
    }
}
