import Testing
@testable import LabHTTP

@Suite struct ClientErrorTests {
    func server(_ loop: EventLoop, _ steps: [WireStep]) throws -> HTTPServer {
        try HTTPServer(loop: loop) { _, responder in responder.send(steps) }
    }

    func failure(_ loop: EventLoop, _ url: String, timeouts: ClientTimeouts = ClientTimeouts()) throws -> HTTPClientError? {
        let client = HTTPClient(loop: loop)
        guard case .failure(let error)? = loop.fetch(client, try ClientRequest(method: "GET", url: url), timeouts: timeouts) else { return nil }
        return error
    }

    @Test func interimAnswersAreSkipped() throws {
        let loop = EventLoop()
        // Each in its own read: the client must not take the first complete message for the answer.
        let s = try server(loop, [.raw(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)), .wait(ms: 10),
                                  .raw(Array("HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n".utf8)), .wait(ms: 10),
                                  .head(status: 200, headers: ["Content-Length": "2"]), .body(Array("ok".utf8)), .end])
        let client = HTTPClient(loop: loop)
        let r = try loop.fetch(client, try ClientRequest(method: "GET", url: s.url))?.get()
        #expect(r?.status == 200 && r?.text == "ok" && r?.headers["Link"] == nil)
        // The connection is reused cleanly afterwards.
        let again = try loop.fetch(client, try ClientRequest(method: "GET", url: s.url))?.get()
        #expect(again?.status == 200 && again?.text == "ok")
    }

    /// A 304 may name the length of what it stands for, and a 204 should not but may: neither
    /// has a body, and the client must not wait for one (nor take the next answer for it).
    @Test func answersWithoutABodyWhateverTheirLength() throws {
        let loop = EventLoop()
        let s = try server(loop, [.raw(Array("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n".utf8)), .end])
        let client = HTTPClient(loop: loop)
        let short = ClientTimeouts(connectMs: 1_000, responseMs: 1_000)
        for _ in 0..<2 {
            let r = try loop.fetch(client, try ClientRequest(method: "GET", url: s.url), timeouts: short)?.get()
            #expect(r?.status == 304 && r?.body.isEmpty == true)
        }
        let t = try server(loop, [.raw(Array("HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n".utf8)), .end])
        let r = try loop.fetch(client, try ClientRequest(method: "GET", url: t.url), timeouts: short)?.get()
        #expect(r?.status == 204 && r?.body.isEmpty == true)
    }

    @Test func refused() throws {
        let loop = EventLoop()
        let s = try server(loop, [])
        let port = s.port
        s.shutdown()
        #expect(try failure(loop, "http://127.0.0.1:\(port)/") == .refused("127.0.0.1:\(port)"))
    }

    @Test func resetBeforeHeaders() throws {
        let loop = EventLoop()
        let s = try server(loop, [.reset])
        #expect(try failure(loop, s.url) == .reset)
    }

    @Test func closedBeforeResponse() throws {
        let loop = EventLoop()
        let s = try server(loop, [.close])
        #expect(try failure(loop, s.url) == .closedBeforeResponse)
    }

    @Test func closedMidBody() throws {
        let loop = EventLoop()
        let s = try server(loop, [.head(status: 200, headers: ["Content-Length": "100"]), .body(Array("partial".utf8)), .close])
        #expect(try failure(loop, s.url) == .closedMidBody)
    }

    /// Linux reports an RST that lands on unread bytes as a plain EOF, so the reset
    /// here comes after the client has had time to read what was sent.
    @Test func resetMidStream() throws {
        let loop = EventLoop()
        let s = try server(loop, [.head(status: 200, headers: [:]), .body(Array("a".utf8)), .wait(ms: 20), .reset])
        let f = try failure(loop, s.url)
        #expect(f == .reset, "\(String(describing: f))")
    }

    @Test func nameThatDoesNotResolve() throws {
        let loop = EventLoop()
        #expect(try failure(loop, "http://no-such-host.invalid:1234/") == .nameNotResolved("no-such-host.invalid"))
    }

    @Test func responseTimeoutOnHang() throws {
        let loop = EventLoop()
        var outcome: ResponseOutcome?
        let s = try HTTPServer(loop: loop) { _, responder in
            responder.onFinish = { outcome = $0.outcome }
            responder.send(.hang)
        }
        #expect(try failure(loop, s.url, timeouts: ClientTimeouts(responseMs: 50)) == .responseTimeout)
        // The server sees the client leave and ends the hanging response.
        loop.run(until: { outcome != nil }, timeoutMs: 2000)
        #expect(outcome == .clientGone)
    }

    @Test func invalidURL() {
        #expect(throws: HTTPClientError.invalidURL("ftp://x")) { try ClientRequest(method: "GET", url: "ftp://x") }
    }

    @Test func urlParts() {
        #expect(URLParts("http://[::1]:8080/a?b") == URLParts("http://[::1]:8080/a?b"))
        let p = URLParts("http://portkey-gateway-ollama:11434")!
        #expect(p.host == "portkey-gateway-ollama" && p.port == 11434 && p.target == "/")
        let v6 = URLParts("http://[::1]:8080/v1/x?y=1")!
        #expect(v6.host == "::1" && v6.port == 8080 && v6.target == "/v1/x?y=1")
        #expect(URLParts("http://h:99999/") == nil)
        let odd = URLParts("HTTP://user:pw@Host.example?q=1")!
        #expect(odd.host == "Host.example" && odd.port == 80 && odd.target == "/?q=1")
        #expect(URLParts("http://[::1]/")?.port == 80)
        for bad in ["http://", "http://:80/", "http://[::1/", "http://[::1]x/", "http://h:/", "http://h:-1/", "https://h/", "http:/h", "http\u{1A}//h/", "http:\u{0F}\u{0F}h/", "hTtP:/\u{0F}h/"] {
            #expect(URLParts(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct ClientRequestWireTests {
    func wire(_ r: ClientRequest) -> String { String(decoding: r.serialized().bytes, as: UTF8.self) }

    /// The request as it goes out: the fields given, then `Host` (an IPv6 address in
    /// brackets, the port unless it is 80) and `Content-Length` when the caller gave none.
    @Test func aRequestIsWrittenWithTheFieldsItLacks() {
        #expect(wire(ClientRequest(method: "POST", host: "::1", port: 8080, target: "/v1/x?a=1", headers: ["X-A": "1"], body: Array("{}".utf8)))
                == "POST /v1/x?a=1 HTTP/1.1\r\nX-A: 1\r\nHost: [::1]:8080\r\nContent-Length: 2\r\n\r\n{}")
        #expect(wire(ClientRequest(method: "GET", host: "example.com", port: 80, target: "/"))
                == "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
        // A POST without a body still says so; fields the caller set are not written twice.
        #expect(wire(ClientRequest(method: "POST", host: "h", port: 1, target: "/", headers: ["host": "given", "content-length": "0"]))
                == "POST / HTTP/1.1\r\nhost: given\r\ncontent-length: 0\r\n\r\n")
        #expect(wire(ClientRequest(method: "PUT", host: "h", port: 12345, target: "/", headers: ["Transfer-Encoding": "chunked"]))
                == "PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: h:12345\r\n\r\n")
        #expect(wire(ClientRequest(method: "PATCH", host: "h", port: 80, target: "/")) == "PATCH / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
    }
}

@Suite struct ClientPoolTests {
    /// A host's list stays when it empties (each request takes its connection out and puts
    /// it back), but a client sent to ever new hosts does not keep a list for each: empty
    /// ones go once there are many; a host with idle connections keeps them.
    @Test func emptiedHostListsDoNotPileUp() throws {
        let loop = EventLoop(clock: .simulation)
        let client = HTTPClient(loop: loop)
        let network = try #require(loop.network)
        let kept = ClientConnection(client: client, key: PoolKey(host: "kept", port: 1), stream: MemoryStream(network: network))
        client.putIdle(kept)
        for i in 0..<100 {
            let c = ClientConnection(client: client, key: PoolKey(host: "h\(i)", port: 80), stream: MemoryStream(network: network))
            client.putIdle(c)
            c.abandon()
        }
        #expect(client.pooledHosts <= 33)
        #expect(client.idleCount == 1)
        // No room at all: nothing is kept, not even a first connection to a new host.
        client.maxIdlePerHost = 0
        let refused = ClientConnection(client: client, key: PoolKey(host: "new", port: 1), stream: MemoryStream(network: network))
        client.putIdle(refused)
        #expect(client.idleCount == 1 && !refused.isUsable)
    }
}
