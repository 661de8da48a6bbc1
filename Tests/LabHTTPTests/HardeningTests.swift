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
}
