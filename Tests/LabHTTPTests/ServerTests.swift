import Testing
import Foundation
@testable import LabHTTP

@Suite struct ServerTests {
    func echoServer(_ loop: EventLoop, limits: ServerLimits = ServerLimits()) throws -> HTTPServer {
        try HTTPServer(loop: loop, limits: limits) { request, responder in
            switch request.path {
            case "/slow":
                responder.send([.wait(ms: 50)] + WireScript.respond(status: 200, contentType: "text/plain", body: "slow").steps)
            case "/chunked":
                responder.send([.head(status: 200, headers: ["Content-Type": "application/x-ndjson"]),
                                .body(Array("one\n".utf8)), .body(Array("two\n".utf8)), .end])
            default:
                responder.send(WireScript.respond(status: 200, contentType: "text/plain",
                                                  body: "\(request.method) \(request.target) \(request.body.count)"))
            }
        }
    }

    /// The parser reuses the strings of the last request's fields and target when their
    /// bytes repeat, and leaves a field the same as the last one's in its place: every
    /// request still reads exactly what it sent, pipelined ones included.
    @Test func repeatedFieldsAreReadAsSentOnEveryRequest() throws {
        let loop = EventLoop()
        let server = try HTTPServer(loop: loop) { request, responder in
            let fields = request.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ";")
            responder.send(WireScript.respond(status: 200, contentType: "text/plain", body: "\(request.target) \(fields)|"))
        }
        let raw = RawClient(loop: loop, port: server.port)
        let heads = ["GET /a HTTP/1.1\r\nX-A: one\r\nHost: h\r\n\r\n",
                     "GET /a HTTP/1.1\r\nX-A: two\r\nHost: h\r\n\r\n",
                     "GET /b HTTP/1.1\r\nX-B: two\r\nHost: h\r\n\r\n",
                     "GET /b HTTP/1.1\r\nHost: h\r\nX-B: two\r\n\r\n",
                     "GET /b HTTP/1.1\r\nHost: h\r\n\r\n",
                     // The same bytes split elsewhere: another name, another value.
                     "GET /b HTTP/1.1\r\nHost: h\r\nX-Bt: wo\r\n\r\n",
                     // One field in the middle differs; the ones after it are the same.
                     "GET /e HTTP/1.1\r\nHost: h\r\nX-M: 1\r\nX-Z: z\r\n\r\n",
                     "GET /e HTTP/1.1\r\nHost: h\r\nX-M: 2\r\nX-Z: z\r\n\r\n",
                     // A field too long to keep, then the same short one after it.
                     "GET /e HTTP/1.1\r\nHost: h\r\nX-L: \(String(repeating: "a", count: 300))\r\nX-Z: z\r\n\r\n",
                     "GET /e HTTP/1.1\r\nHost: h\r\nX-L: \(String(repeating: "b", count: 300))\r\nX-Z: z\r\n\r\n",
                     // The field kept before the long one, in its place again.
                     "GET /e HTTP/1.1\r\nHost: h\r\nX-M: 2\r\nX-Z: z\r\n\r\n"]
        for head in heads { raw.send(head); loop.run(until: { raw.text.components(separatedBy: "|").count > heads.firstIndex(of: head)! + 1 }, timeoutMs: 2000) }
        // Pipelined: the second head is parsed before the first is answered, once with a
        // field that differs and once with fewer fields than the first.
        raw.send("GET /c HTTP/1.1\r\nX-A: one\r\n\r\nGET /d HTTP/1.1\r\nX-A: uno\r\n\r\n")
        raw.send("GET /f HTTP/1.1\r\nX-A: uno\r\nX-Q: q\r\n\r\nGET /g HTTP/1.1\r\nX-A: uno\r\n\r\n")
        loop.run(until: { raw.text.components(separatedBy: "|").count > heads.count + 4 }, timeoutMs: 2000)
        let bodies = raw.text.components(separatedBy: "\r\n\r\n").compactMap { $0.split(separator: "|").first.map(String.init) }.filter { $0.hasPrefix("/") }
        #expect(bodies == ["/a X-A=one;Host=h", "/a X-A=two;Host=h", "/b X-B=two;Host=h", "/b Host=h;X-B=two", "/b Host=h",
                           "/b Host=h;X-Bt=wo", "/e Host=h;X-M=1;X-Z=z", "/e Host=h;X-M=2;X-Z=z",
                           "/e Host=h;X-L=\(String(repeating: "a", count: 300));X-Z=z", "/e Host=h;X-L=\(String(repeating: "b", count: 300));X-Z=z",
                           "/e Host=h;X-M=2;X-Z=z", "/c X-A=one", "/d X-A=uno", "/f X-A=uno;X-Q=q", "/g X-A=uno"])
    }

    /// A chunked body's trailer fields are not part of its head, and none of them may
    /// become a field of the next request on the connection (the parser reads trailers
    /// with the same callbacks as header fields, and only a head's end flushes the last).
    @Test func trailerFieldsStayOutOfEveryHead() throws {
        let loop = EventLoop()
        let server = try HTTPServer(loop: loop) { request, responder in
            let fields = request.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ";")
            responder.send(WireScript.respond(status: 200, contentType: "text/plain", body: "\(request.target) \(fields) \(request.body.count)|"))
        }
        let raw = RawClient(loop: loop, port: server.port)
        raw.send("POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T1: one\r\nX-T2: two\r\n\r\n")
        loop.run(until: { raw.text.contains("|") }, timeoutMs: 2000)
        raw.send("GET /n HTTP/1.1\r\nHost: h\r\n\r\n")
        // Pipelined behind a trailer: the next head follows in the same read.
        raw.send("POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T3: three\r\n\r\nGET /m HTTP/1.1\r\nHost: h\r\n\r\n")
        loop.run(until: { raw.text.components(separatedBy: "|").count > 4 }, timeoutMs: 2000)
        let bodies = raw.text.components(separatedBy: "\r\n\r\n").compactMap { $0.split(separator: "|").first.map(String.init) }.filter { $0.hasPrefix("/") }
        #expect(bodies == ["/t Host=h;Transfer-Encoding=chunked 3", "/n Host=h 0", "/t Host=h;Transfer-Encoding=chunked 0", "/m Host=h 0"])
    }

    @Test func keepAliveReusesOneConnection() throws {
        let loop = EventLoop()
        let server = try echoServer(loop)
        let client = HTTPClient(loop: loop)
        for i in 0..<3 {
            let r = try loop.fetch(client, ClientRequest(method: "GET", url: "\(server.url)/n\(i)"))?.get()
            #expect(r?.status == 200)
            #expect(r?.text == "GET /n\(i) 0")
        }
        #expect(server.openConnections == 1)
        #expect(client.idleCount == 1)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let loop = EventLoop()
        let server = try echoServer(loop)
        let raw = RawClient(loop: loop, port: server.port)
        // The first is slow, so a server answering out of order would put /b first.
        raw.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /chunked HTTP/1.1\r\nHost: x\r\n\r\n")
        loop.run(until: { raw.text.hasSuffix("0\r\n\r\n") }, timeoutMs: 3000)
        let text = raw.text
        let slow = text.range(of: "\r\n\r\nslow")!.lowerBound
        let b = text.range(of: "GET /b 0")!.lowerBound
        let chunked = text.range(of: "4\r\none\n\r\n4\r\ntwo\n\r\n0\r\n\r\n")!.lowerBound
        #expect(slow < b && b < chunked)
        #expect(text.contains("Transfer-Encoding: chunked"))
    }

    /// Answers made while their requests were read wait for the end of the loop's turn and
    /// then all go out, each connection's in order, pipelined ones included.
    @Test func answersMadeWhileReadingGoOutAtTheEndOfTheTurn() throws {
        let loop = EventLoop()
        let server = try echoServer(loop)
        let clients = (0..<20).map { _ in RawClient(loop: loop, port: server.port) }
        for (i, client) in clients.enumerated() {
            client.send("GET /a\(i) HTTP/1.1\r\nHost: x\r\n\r\nGET /b\(i) HTTP/1.1\r\nHost: x\r\n\r\n")
        }
        let answered = loop.run(until: { clients.allSatisfy { $0.text.components(separatedBy: "HTTP/1.1 200").count == 3 } }, timeoutMs: 3000)
        #expect(answered)
        for (i, client) in clients.enumerated() {
            let text = client.text
            let a = text.range(of: "GET /a\(i) 0"), b = text.range(of: "GET /b\(i) 0")
            #expect(a != nil && b != nil && a!.lowerBound < b!.lowerBound, "client \(i): \(text)")
        }
        #expect((loop.endOfTurn?.sentHeld ?? 0) >= clients.count)
    }

    @Test func chunkedResponseIsReassembledByClient() throws {
        let loop = EventLoop()
        let server = try echoServer(loop)
        let client = HTTPClient(loop: loop)
        let r = try loop.fetch(client, ClientRequest(method: "GET", url: "\(server.url)/chunked"))?.get()
        #expect(r?.text == "one\ntwo\n")
    }

    @Test func headGetsHeadersWithoutBody() throws {
        let loop = EventLoop()
        let server = try echoServer(loop)
        let raw = RawClient(loop: loop, port: server.port)
        raw.send("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\nGET /y HTTP/1.1\r\nHost: x\r\n\r\n")
        loop.run(until: { raw.text.contains("GET /y 0") }, timeoutMs: 3000)
        #expect(!raw.text.contains("HEAD /x 0"))
        #expect(raw.text.contains("Content-Length: 9"))
    }

    @Test func connectionCloseIsHonoured() throws {
        let loop = EventLoop()
        let server = try echoServer(loop)
        let raw = RawClient(loop: loop, port: server.port)
        raw.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        loop.run(until: { raw.ended }, timeoutMs: 3000)
        #expect(raw.ended)
        #expect(raw.text.contains("Connection: close"))
    }

    @Test func requestBodiesAreReadWithLengthAndChunked() throws {
        let loop = EventLoop()
        let server = try echoServer(loop)
        let raw = RawClient(loop: loop, port: server.port)
        raw.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        raw.send("POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        loop.run(until: { raw.text.contains("POST /b 5") }, timeoutMs: 3000)
        #expect(raw.text.contains("POST /a 5"))
        #expect(raw.text.contains("POST /b 5"))
    }

    @Test func headersArriveAsSentWhateverTheReadsCutThem() throws {
        let loop = EventLoop()
        var seen: [HTTPRequest] = []
        let server = try HTTPServer(loop: loop) { request, responder in
            seen.append(request)
            responder.send(WireScript.respond(status: 200, contentType: "text/plain", body: "ok"))
        }
        let raw = RawClient(loop: loop, port: server.port)
        let head = "POST /api/chat?x=1&y=%3F HTTP/1.1\r\nhost: h\r\nContent-Type: application/json\r\n"
            + "CONTENT-LENGTH: 2\r\nX-Portkey-Config: {\"a\": 1}\r\nAccept-Encoding: gzip\r\nConnection: keep-alive\r\n\r\n{}"
        // One byte per write, each followed by a turn of the loop: names and values split
        // across reads at every position.
        for byte in Array(head.utf8) {
            raw.send([byte])
            loop.run(until: { false }, timeoutMs: 1)
        }
        raw.send("GET /b HTTP/1.1\r\nhost: h\r\nX-Empty:\r\nX-Blank:   \r\nAccept: */*\r\n\r\n")
        loop.run(until: { seen.count == 2 }, timeoutMs: 3000)
        try #require(seen.count == 2)
        #expect(seen[0].method == "POST")
        #expect(seen[0].target == "/api/chat?x=1&y=%3F")
        #expect(seen[0].path == "/api/chat")
        #expect(seen[0].query == "x=1&y=%3F")
        #expect(seen[0].headers.fields.map(\.name) == ["host", "Content-Type", "CONTENT-LENGTH", "X-Portkey-Config", "Accept-Encoding", "Connection"])
        #expect(seen[0].headers.fields.map(\.value) == ["h", "application/json", "2", "{\"a\": 1}", "gzip", "keep-alive"])
        #expect(seen[0].headers["content-length"] == "2")
        #expect(seen[0].body == Array("{}".utf8))
        #expect(seen[1].method == "GET")
        #expect(seen[1].path == "/b")
        // Empty values are fields too, and do not run into the next name.
        #expect(seen[1].headers.fields.map(\.name) == ["host", "X-Empty", "X-Blank", "Accept"])
        #expect(seen[1].headers.fields.map(\.value) == ["h", "", "", "*/*"])
    }

    /// Go's and Node's servers route an absolute-form target by its path.
    @Test(arguments: [
        ("/api/chat?x=1", "/api/chat", "x=1"), ("/api/tags", "/api/tags", nil),
        ("http://127.0.0.1:11434/api/tags", "/api/tags", nil), ("HTTP://Host/api/show?verbose=1", "/api/show", "verbose=1"),
        ("https://h", "/", nil), ("http://h?x=1", "/", "x=1"), ("*", "*", nil), ("api/tags", "api/tags", nil),
    ] as [(String, String, String?)])
    func pathOfATarget(target: String, path: String, query: String?) {
        let request = HTTPRequest(method: "GET", target: target)
        #expect(request.path == path && request.query == query)
    }

    @Test(arguments: [
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n", 413),
        ("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 70_000))\r\n\r\n", 431),
        ("GARBAGE\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    ])
    func badInputGetsItsStatusAndServerGoesOn(input: String, status: Int) throws {
        let loop = EventLoop()
        var limits = ServerLimits()
        limits.maxBodyBytes = 1000
        let server = try echoServer(loop, limits: limits)
        let raw = RawClient(loop: loop, port: server.port)
        raw.send(input + String(repeating: "b", count: 1500))
        loop.run(until: { raw.ended }, timeoutMs: 3000)
        #expect(raw.text.hasPrefix("HTTP/1.1 \(status) "))
        // The server still serves the next client.
        let client = HTTPClient(loop: loop)
        let r = try loop.fetch(client, ClientRequest(method: "GET", url: "\(server.url)/next"))?.get()
        #expect(r?.text == "GET /next 0")
    }

    @Test func scriptWaitsAreHonoured() throws {
        let loop = EventLoop()
        let server = try echoServer(loop)
        let client = HTTPClient(loop: loop)
        let start = EventLoop.monotonicNs
        _ = try loop.fetch(client, ClientRequest(method: "GET", url: "\(server.url)/slow"))?.get()
        #expect(Double(EventLoop.monotonicNs - start) / 1e6 >= 49)
    }

    @Test func stopListeningRefusesAndResumeServesAgain() throws {
        let loop = EventLoop()
        let server = try echoServer(loop)
        let client = HTTPClient(loop: loop)
        server.stopListening()
        loop.run(until: { false }, timeoutMs: 20)
        let refused = loop.fetch(client, try ClientRequest(method: "GET", url: "\(server.url)/"))
        guard case .failure(.refused)? = refused else { Issue.record("expected refused, got \(String(describing: refused))"); return }
        try server.resumeListening()
        #expect(try loop.fetch(client, ClientRequest(method: "GET", url: "\(server.url)/"))?.get().status == 200)
    }
}

@Suite struct ServerLimitTests {
    /// A server answering "ok" that gives a request's headers `headerTimeoutMs` to arrive.
    func okServer(_ loop: EventLoop, headerTimeoutMs: Int) throws -> HTTPServer {
        var limits = ServerLimits()
        limits.headerTimeoutMs = headerTimeoutMs
        return try HTTPServer(loop: loop, limits: limits) { _, r in r.send(WireScript.respond(status: 200, contentType: "text/plain", body: "ok")) }
    }

    @Test func slowHeadersGet408AndTheServerGoesOn() throws {
        let loop = EventLoop()
        let server = try okServer(loop, headerTimeoutMs: 50)
        let raw = RawClient(loop: loop, port: server.port)
        raw.send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        loop.run(until: { raw.ended }, timeoutMs: 2000)
        #expect(raw.text.hasPrefix("HTTP/1.1 408 Request Timeout"))
        // An idle keep-alive connection is not a slow request.
        let idle = RawClient(loop: loop, port: server.port)
        loop.run(until: { false }, timeoutMs: 120)
        idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        loop.run(until: { idle.text.contains("ok") }, timeoutMs: 2000)
        #expect(idle.text.hasPrefix("HTTP/1.1 200 OK"))
    }

    /// Each request's headers get the whole limit from their own first byte, not from the
    /// previous request's on the same connection (the timer is armed once and re-checks).
    @Test func aLaterRequestsHeadersGetTheirOwnTime() throws {
        let loop = EventLoop()
        let server = try okServer(loop, headerTimeoutMs: 80)
        let raw = RawClient(loop: loop, port: server.port)
        raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        loop.run(until: { raw.text.contains("ok") }, timeoutMs: 2000)
        loop.run(until: { false }, timeoutMs: 50)
        let slowStart = EventLoop.monotonicNs
        raw.send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        loop.run(until: { raw.ended }, timeoutMs: 2000)
        let waitedMs = Double(EventLoop.monotonicNs - slowStart) / 1e6
        #expect(raw.text.contains("HTTP/1.1 408 Request Timeout"))
        #expect(waitedMs >= 79, "the second request's headers were refused after \(waitedMs) ms")
    }

    @Test func connectionsOverTheLimitAreRefusedWithALogLine() throws {
        let loop = EventLoop()
        var limits = ServerLimits()
        limits.maxConnections = 2
        var logs: [String] = []
        let server = try HTTPServer(loop: loop, limits: limits) { _, r in r.send(WireScript.respond(status: 200, contentType: "text/plain", body: "ok")) }
        server.onLog = { logs.append($0) }
        let a = RawClient(loop: loop, port: server.port)
        let b = RawClient(loop: loop, port: server.port)
        let c = RawClient(loop: loop, port: server.port)
        loop.run(until: { c.ended }, timeoutMs: 2000)
        #expect(c.ended && server.refusedConnections == 1)
        #expect(logs.first?.contains("the limit is 2") == true)
        a.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        loop.run(until: { a.text.contains("ok") }, timeoutMs: 2000)
        #expect(a.text.contains("ok"))
        _ = b
    }
}

@Suite struct PeerGoneTests {
    /// A client that resets mid-stream ends the response as `clientGone` and frees the
    /// connection. (SIGPIPE on such writes is covered by Tests/conformance/test_abort.py:
    /// the test runner ignores SIGPIPE itself, so only a real process shows it.)
    @Test func aClientResetMidStreamEndsTheResponse() throws {
        let loop = EventLoop()
        var outcome: ResponseOutcome?
        let server = try HTTPServer(loop: loop) { _, r in
            r.onFinish = { outcome = $0.outcome }
            r.send([.head(status: 200, headers: [:])] + (0..<40).flatMap { _ in [WireStep.wait(ms: 5), .body(Array(repeating: 65, count: 4096))] } + [.end])
        }
        let raw = RawClient(loop: loop, port: server.port)
        raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        loop.run(until: { raw.text.contains("200 OK") }, timeoutMs: 2000)
        raw.stream.reset()
        loop.run(until: { outcome != nil }, timeoutMs: 3000)
        #expect(outcome != nil)
        #expect(server.openConnections == 0)
    }

    /// A connection holds its responders strongly until each ends, and its timers' closures
    /// unowned: once its client has gone it is freed, whether its last response was sent,
    /// waiting out a step, or kept by a handler that never answers.
    @Test func aConnectionIsFreedOnceItsClientHasGone() throws {
        let loop = EventLoop()
        var handled = 0
        var kept: [Responder] = []
        let server = try HTTPServer(loop: loop) { request, r in
            handled += 1
            switch request.path {
            case "/wait": r.send([.wait(ms: 10_000)] + WireScript.respond(status: 200, contentType: "text/plain", body: "late").steps)
            case "/never": kept.append(r)
            default: r.send(WireScript.respond(status: 200, contentType: "text/plain", body: "ok"))
            }
        }
        for (i, path) in ["/", "/wait", "/never"].enumerated() {
            let raw = RawClient(loop: loop, port: server.port)
            raw.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
            loop.run(until: { handled == i + 1 }, timeoutMs: 2000)
            #expect(server.connections.count == 1)
            weak var connection = server.connections.values.first
            raw.close()
            loop.run(until: { server.openConnections == 0 && connection == nil }, timeoutMs: 2000)
            #expect(connection == nil, "the connection of \(path) is still alive")
        }
        #expect(kept.map(\.outcome) == [.clientGone])
    }
}
