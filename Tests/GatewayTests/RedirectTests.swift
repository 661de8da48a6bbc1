import Testing
import LabCore
import LabHTTP
@testable import Gateway

/// The gateway's fetch follows redirects as Node's fetch does (Portkey sets no `redirect`).
@Suite struct RedirectTests {
    @Test func theFetchStandardsRules() {
        let url = "http://ollama:11434//v1/chat/completions"
        let body = Array("{}".utf8)
        #expect(FetchRedirect.next(status: 301, location: "/v1/chat/completions", from: url, method: "POST", body: body)
                == .init(url: "http://ollama:11434/v1/chat/completions", method: "GET", body: [], dropsBody: true, crossOrigin: false))
        #expect(FetchRedirect.next(status: 302, location: "/x", from: url, method: "POST", body: body)?.method == "GET")
        #expect(FetchRedirect.next(status: 303, location: "/x", from: url, method: "PUT", body: body)?.method == "GET")
        #expect(FetchRedirect.next(status: 303, location: "/x", from: url, method: "HEAD", body: [])?.method == "HEAD")
        for status in [307, 308] {
            #expect(FetchRedirect.next(status: status, location: "/x", from: url, method: "POST", body: body)
                    == .init(url: "http://ollama:11434/x", method: "POST", body: body, dropsBody: false, crossOrigin: false))
        }
        #expect(FetchRedirect.next(status: 307, location: "http://other:1/x", from: url, method: "POST", body: body)?.crossOrigin == true)
        #expect(FetchRedirect.next(status: 307, location: "HTTP://OLLAMA:11434/x", from: url, method: "POST", body: body)?.crossOrigin == false)
        // Not a redirect, or one without a Location: the answer stands.
        #expect(FetchRedirect.next(status: 300, location: "/x", from: url, method: "POST", body: body) == nil)
        #expect(FetchRedirect.next(status: 301, location: nil, from: url, method: "POST", body: body) == nil)
    }

    @Test func locationsResolveAgainstTheURL() {
        let base = "http://h:1/a/b?q=1"
        #expect(FetchRedirect.resolve("/x", against: base) == "http://h:1/x")
        #expect(FetchRedirect.resolve("c", against: base) == "http://h:1/a/c")
        #expect(FetchRedirect.resolve("?r=2", against: base) == "http://h:1/a/b?r=2")
        #expect(FetchRedirect.resolve("//other:2/y", against: base) == "http://other:2/y")
        #expect(FetchRedirect.resolve("http://z/", against: base) == "http://z/")
    }

    @Test func aTrailingSlashOnCustomHostEndsInOllamasGet405() throws {
        let h = try Harness()
        let a = try h.send(config: #"{"provider":"ollama","custom_host":"http://primary:11434/","override_params":{"model":"llama3"}}"#)
        #expect(a.status == 405)
        #expect(a.text.contains(#"Invalid response received from ollama: {\"html-message\":\"405 method not allowed\"}"#))
        let seen = h.providers["primary"]!.journal.entries.map { "\($0.method) \($0.path) \($0.status ?? 0)" }
        #expect(seen == ["POST //v1/chat/completions 301", "GET /v1/chat/completions 405"])
    }

    @Test func aTemporaryRedirectRepeatsThePOSTAndALoopEndsAfterTwenty() throws {
        let h = try Harness()
        var hops = 0
        let looper = try HTTPServer(loop: h.loop) { request, responder in
            hops += 1
            responder.send(WireScript.respond(status: 307, headers: ["Location": "/again"], body: []))
        }
        let loop = try h.send(config: #"{"provider":"ollama","custom_host":"http://127.0.0.1:\#(looper.port)"}"#)
        #expect(hops == 21 && loop.status == 500)
        #expect(loop.text.contains("fetch failed Cause: Error: redirect count exceeded"))
        var moved: HTTPRequest?
        let mover = try HTTPServer(loop: h.loop) { request, responder in
            moved = request
            responder.send(WireScript.respond(status: 307, headers: ["Location": "http://primary:11434/v1/chat/completions"], body: []))
        }
        let a = try h.send(config: #"{"provider":"ollama","custom_host":"http://127.0.0.1:\#(mover.port)","override_params":{"model":"llama3"}}"#)
        #expect(moved?.method == "POST" && a.status == 200)
        let primary = h.providers["primary"]!.journal.entries
        #expect(primary.map(\.method) == ["POST"] && primary.first?.model == "llama3")
    }
}
