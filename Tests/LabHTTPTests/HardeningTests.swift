import Testing
@testable import LabHTTP

/// Requests an attacker or a careless client sends, answered as the docs promise.
@Suite struct HTTPHardeningTests {
    func server(_ loop: EventLoop, slow: Bool = false) throws -> HTTPServer {
        try HTTPServer(loop: loop) { request, responder in
            let steps = WireScript.respond(status: 200, contentType: "text/plain", body: "got \(request.body.count)").steps
            responder.send(slow ? [.wait(ms: 100)] + steps : steps)
        }
    }

    @Test func oneHeaderLineOverEightyKilobytesIs431() throws {
        let loop = EventLoop()
        let s = try server(loop)
        let raw = RawClient(loop: loop, port: s.port)
        raw.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 90_000) + "\r\n\r\n")
        loop.run(until: { raw.ended }, timeoutMs: 3000)
        #expect(raw.text.hasPrefix("HTTP/1.1 431 "))
    }

    @Test func whitespaceBeforeTheColonIsRefused() throws {
        let loop = EventLoop()
        let s = try server(loop)
        let raw = RawClient(loop: loop, port: s.port)
        raw.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nhello")
        loop.run(until: { raw.ended }, timeoutMs: 3000)
        #expect(raw.text.hasPrefix("HTTP/1.1 400 "), "\(raw.text)")
        #expect(raw.text.contains("whitespace between a header field name and its colon"))
    }

    @Test func aHalfClosedClientIsAnsweredWhereTheServerSaysSo() throws {
        let loop = EventLoop()
        let s = try server(loop, slow: true)
        s.answersHalfClosedClients = true
        let raw = RawClient(loop: loop, port: s.port)
        raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        raw.shutdownWrite()
        loop.run(until: { raw.ended }, timeoutMs: 3000)
        #expect(raw.text.hasPrefix("HTTP/1.1 200 ") && raw.text.hasSuffix("got 0"))
        // Without the setting, the end of the client's side means it left.
        let plain = try server(loop, slow: true)
        let gone = RawClient(loop: loop, port: plain.port)
        gone.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        gone.shutdownWrite()
        loop.run(until: { gone.ended }, timeoutMs: 3000)
        #expect(gone.text.isEmpty)
    }

    @Test func expectContinueIsAnsweredBeforeTheBodyIsSent() throws {
        let loop = EventLoop()
        let s = try server(loop)
        let raw = RawClient(loop: loop, port: s.port)
        raw.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-Continue\r\n\r\n")
        loop.run(until: { !raw.received.isEmpty }, timeoutMs: 3000)
        #expect(raw.text == "HTTP/1.1 100 Continue\r\n\r\n")
        raw.send("hello")
        loop.run(until: { raw.text.hasSuffix("got 5") }, timeoutMs: 3000)
        #expect(raw.text.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"), "\(raw.text)")
        // The connection goes on: a later request without a body gets no interim answer.
        raw.received = []
        raw.send("GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n")
        loop.run(until: { raw.text.hasSuffix("got 0") }, timeoutMs: 3000)
        #expect(raw.text.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(raw.text)")
    }

    @Test(arguments: ["GET / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n",
                      "POST / HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 5\r\n\r\nhello"])
    func anotherExpectationIs417AndNotServed(request: String) throws {
        let loop = EventLoop()
        var served = 0
        let s = try HTTPServer(loop: loop) { _, responder in
            served += 1
            responder.send(WireScript.respond(status: 200, contentType: "text/plain", body: "served").steps)
        }
        let raw = RawClient(loop: loop, port: s.port)
        raw.send(request)
        loop.run(until: { raw.ended }, timeoutMs: 3000)
        #expect(raw.text.hasPrefix("HTTP/1.1 417 Expectation Failed\r\n"), "\(raw.text)")
        #expect(served == 0 && !raw.text.contains("served"))
    }

    @Test func noInterimAnswerAheadOfAnswersStillOwed() throws {
        let loop = EventLoop()
        let s = try server(loop, slow: true)
        let raw = RawClient(loop: loop, port: s.port)
        // Pipelined behind a slow answer, then HTTP/1.0: neither gets a 100.
        raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        loop.run(until: { false }, timeoutMs: 30)
        raw.send("hi")
        loop.run(until: { raw.text.hasSuffix("got 2") }, timeoutMs: 3000)
        #expect(!raw.text.contains("100 Continue") && raw.text.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(raw.text)")
        let old = RawClient(loop: loop, port: s.port)
        old.send("POST / HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi")
        loop.run(until: { old.ended }, timeoutMs: 3000)
        #expect(!old.text.contains("100 Continue") && old.text.hasSuffix("got 2"), "\(old.text)")
    }
}
