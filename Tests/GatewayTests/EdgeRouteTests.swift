import Testing
import LabCore
import LabHTTP
@testable import Gateway

/// Why users see a 504 before fallback ever happens, and how request_timeout fixes it.
@Suite struct EdgeRouteTests {
    @Test func aHangWithoutRequestTimeoutIsA504FromTheEdge() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"hang":true}}]"#], edgeTimeoutMs: 30_000)
        let a = try h.send(config: fallback([target("primary"), target("backup")]), viaEdge: true)
        #expect(a.status == 504)
        #expect(a.text.contains("504 Gateway Time-out"))
        #expect(a.headers["Content-Type"] == "text/html")
        #expect(abs(a.labMs - 30_000) < 1500)
        #expect(h.edge?.records.last?.timedOut == true)
        // The route counts the 504s it gave itself, for /metrics.
        #expect(h.edge?.metrics().text.contains("lab_edge_timeouts_total 1\n") == true)
        #expect(h.hits("backup") == 0)
        // The gateway was still working on it when the route gave up.
        h.loop.run(until: { h.gateway.journal.entries.last?.clientGone == true }, timeoutMs: 1000)
        #expect(h.gateway.journal.entries.last?.clientGone == true)
    }

    @Test func requestTimeoutTurnsItIntoAFallbackSuccess() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"hang":true}}]"#], edgeTimeoutMs: 30_000)
        let a = try h.send(config: fallback([target("primary", #""request_timeout":10000"#), target("backup")]), viaEdge: true)
        #expect(a.status == 200 && a.index == "config.targets[1]")
        #expect(a.labMs > 9_000 && a.labMs < 30_000)
    }

    @Test func retriesPastTheEdgeTimeoutGive504() throws {
        let h = try Harness(faults: ["primary": #"[{"fault":{"status":503}}]"#], edgeTimeoutMs: 30_000)
        // 1 + 2 + 4 + 8 + 16 = 31 s of backoff before the fallback could start.
        let a = try h.send(config: fallback([target("primary", #""retry":{"attempts":5}"#), target("backup")]), viaEdge: true)
        #expect(a.status == 504)
    }

    @Test func expectContinueIsAnsweredByTheRouteAndNotRelayed() throws {
        let loop = EventLoop()
        let upstream = try HTTPServer(loop: loop) { request, responder in
            responder.send(WireScript.respond(status: 200, contentType: "text/plain", body: "expect=\(request.headers["Expect"] ?? "none") \(request.body.count)"))
        }
        let edge = try EdgeRoute(loop: loop, upstream: URLParts(upstream.url)!, timeoutMs: 5_000)
        let client = HTTPClient(loop: loop)
        // The route's server sends this client a 100 Continue first; the client skips it.
        var result: Result<ClientResponse, HTTPClientError>?
        client.fetch(try ClientRequest(method: "POST", url: edge.url + "/v1/chat/completions",
                                       headers: ["Expect": "100-continue"], body: Array("hello".utf8))) { result = $0 }
        loop.run(until: { result != nil }, timeoutMs: 5000)
        let r = try result?.get()
        #expect(r?.status == 200 && r?.text == "expect=none 5")
    }

    @Test func streamsPassThroughTheEdge() throws {
        let h = try Harness(edgeTimeoutMs: 30_000)
        let a = try h.send(config: target("primary"), body: #"{"model":"llama3","stream":true,"messages":[{"role":"user","content":"hi"}]}"#, viaEdge: true)
        #expect(a.status == 200 && a.text.hasSuffix("data: [DONE]\n\n"))
        #expect(a.index == "config")
    }
}
