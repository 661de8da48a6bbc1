import Testing
import LabCore
import LabHTTP
@testable import MockOllama

/// Ollama's CORS and Host checks, as gin-contrib/cors and Ollama's middleware decide them.
@Suite struct AccessPolicyTests {
    let plain = try! AccessPolicy()

    func status(_ policy: AccessPolicy, _ method: String = "GET", origin: String?, host: String? = "127.0.0.1:11434") -> Int {
        switch policy.verdict(method: method, origin: origin, host: host) {
        case .serve: return 200
        case .answer(let status, _): return status
        }
    }

    @Test func ollamasOwnOriginsPassAndOthersGetA403() {
        for origin in ["http://localhost", "https://127.0.0.1", "http://localhost:3000", "https://0.0.0.0:8443",
                       "app://anything", "file://", "tauri://localhost", "vscode-webview://abc", "vscode-file://x"] {
            #expect(status(plain, origin: origin) == 200, "\(origin)")
        }
        for origin in ["http://evil.com", "null", "chrome-extension://abcdef", "HTTP://LOCALHOST",
                       // The trailing * keeps the colon before it (gin-contrib/cors since 1.7).
                       "http://localhost.evil.com", "http://127.0.0.1.nip.io"] {
            #expect(status(plain, origin: origin) == 403, "\(origin)")
        }
        // No Origin, an empty one, or the request's own host: not a CORS request.
        #expect(status(plain, origin: nil) == 200 && status(plain, origin: "") == 200)
        #expect(status(plain, origin: "http://ollama.example:11434", host: "ollama.example:11434") == 200)
    }

    @Test func extraOriginsAreMatchedExactlyOrByTheirOneWildcard() throws {
        let policy = try AccessPolicy(extraOrigins: ["https://Chat.Example.com", "chrome-extension://*", "https://*.corp.example"])
        // Exact entries are lowercased; the Origin sent is not.
        #expect(status(policy, origin: "https://chat.example.com") == 200)
        #expect(status(policy, origin: "https://Chat.Example.com") == 403)
        #expect(status(policy, origin: "chrome-extension://abcdef") == 200)
        #expect(status(policy, origin: "https://ui.corp.example") == 200)
        #expect(status(policy, origin: "https://ui.corp.example.evil") == 403)
        let all = try AccessPolicy(extraOrigins: ["*"])
        #expect(all.verdict(method: "GET", origin: "http://evil.com", host: nil) == .serve(headers: [("Access-Control-Allow-Origin", "*")]))
    }

    @Test func originsOllamaRefusesToStartWith() {
        let bad = "bad origin: origins must contain '*' or include http://,https://,chrome-extension://,safari-extension://,moz-extension://,ms-browser-extension://"
        for origins in [["example.com"], [" https://a.com"], ["ws://a.com"]] {
            #expect(throws: AccessPolicyError.self) { try AccessPolicy(extraOrigins: origins) }
            #expect((try? AccessPolicy(extraOrigins: origins)) == nil)
            do { _ = try AccessPolicy(extraOrigins: origins) } catch { #expect(error.message == bad) }
        }
        do { _ = try AccessPolicy(extraOrigins: ["https://*.a.*"]) } catch { #expect(error.message == "only one * is allowed") }
        #expect((try? AccessPolicy(extraOrigins: ["https://a.com", "moz-extension://x"])) != nil)
    }

    @Test func aPreflightIsAnswered204WithGinsHeaders() {
        guard case .answer(204, let headers) = plain.verdict(method: "OPTIONS", origin: "http://localhost:5173", host: "127.0.0.1:11434") else {
            Issue.record("not a 204")
            return
        }
        #expect(headers.map(\.0) == ["Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin",
                                     "Access-Control-Max-Age", "Vary", "Vary", "Vary"])
        #expect(headers[0].1.hasPrefix("Authorization,Content-Type,User-Agent,Accept,X-Requested-With,Openai-Beta,X-Stainless-Arch,"))
        #expect(headers[1].1 == "GET,POST,PUT,PATCH,DELETE,HEAD" && headers[2].1 == "http://localhost:5173" && headers[3].1 == "43200")
        #expect(headers[4...].map(\.1) == ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"])
        // A refused origin's preflight is a bare 403 like any other request.
        #expect(plain.verdict(method: "OPTIONS", origin: "http://evil.com", host: nil) == .answer(status: 403, headers: []))
        #expect(AccessPolicy.canonical("x-stainless-retry-count") == "X-Stainless-Retry-Count")
    }

    @Test func theHostCheckAcceptsLocalAddressesAndNames() throws {
        let machine = AccessPolicy.Machine(hostname: "GPU-Box", addresses: ["203.0.113.7", "2001:db8::7"])
        let checked = try AccessPolicy(machine: machine)
        for host in ["127.0.0.1:11434", "127.9.9.9", "[::1]:11434", "::1", "10.1.2.3:80", "172.20.0.1", "192.168.1.1",
                     "[fd00::1]:1", "0.0.0.0:11434", "[::]:1", "[::ffff:127.0.0.1]:1", "203.0.113.7:11434", "[2001:db8::7]:11434",
                     "localhost:11434", "gpu-box", "GPU-BOX:11434", "ollama.localhost", "box.local:1", "ollama.internal", ""] {
            #expect(status(checked, host: host) == 200, "\(host)")
        }
        for host in ["evil.com", "ollama:11434", "203.0.113.8", "172.32.0.1", "[::1]", "127.0.0.01", "internal",
                     "gpu-box.example", "[::ffff:0.0.0.0]:1"] {
            #expect(status(checked, host: host) == 403, "\(host)")
        }
        // Without the check (Ollama bound elsewhere) every host is served.
        #expect(status(plain, host: "evil.com") == 200 && !plain.checksHost && checked.checksHost)
        // Nil host (HTTP/1.0 without one) reads as empty: accepted.
        #expect(status(checked, host: nil) == 200)
    }

    func status(_ policy: AccessPolicy, _ method: String = "GET", host: String?) -> Int {
        status(policy, method, origin: nil, host: host)
    }

    @Test func theHostCheckRunsAfterCORSAndKeepsItsHeaders() throws {
        let checked = try AccessPolicy(machine: .init(hostname: nil, addresses: []))
        // An allowed name answers OPTIONS itself; an allowed address goes on to the router.
        #expect(checked.verdict(method: "OPTIONS", origin: nil, host: "ollama.internal") == .answer(status: 204, headers: []))
        #expect(checked.verdict(method: "OPTIONS", origin: nil, host: "127.0.0.1") == .serve(headers: []))
        // A CORS preflight is answered before the Host check runs.
        #expect(status(checked, "OPTIONS", origin: "http://localhost", host: "evil.com") == 204)
        // A refused host after an allowed origin: 403 with the CORS headers already set.
        #expect(checked.verdict(method: "GET", origin: "http://localhost", host: "evil.com")
                == .answer(status: 403, headers: [("Access-Control-Allow-Origin", "http://localhost"), ("Vary", "Origin")]))
    }

    @Test func hostPartReadsLikeGosSplitHostPort() {
        #expect(AccessPolicy.hostPart("a.com:80") == "a.com" && AccessPolicy.hostPart("a.com") == "a.com")
        #expect(AccessPolicy.hostPart("[::1]:80") == "::1" && AccessPolicy.hostPart("[::1]") == "[::1]")
        #expect(AccessPolicy.hostPart("::1") == "::1" && AccessPolicy.hostPart("a:b:c") == "a:b:c")
        #expect(AccessPolicy.hostPart("[[::1]:80") == "[[::1]:80" && AccessPolicy.hostPart("a.com:") == "a.com")
    }

    @Test func theMockAnswersWithTheVerdict() throws {
        var options = MockOptions()
        options.origins = ["https://chat.example.com"]
        options.hostCheck = .init(hostname: nil, addresses: [])
        let mock = try MockOllama(options: options, clock: { fixedTime })
        func call(_ method: String, _ path: String, _ headers: HTTPHeaders) -> Rendered {
            render(mock.respond(to: HTTPRequest(method: method, target: path, headers: headers)))
        }
        let refused = call("GET", "/api/tags", ["Host": "127.0.0.1:11434", "Origin": "https://evil.example"])
        #expect(refused.status == 403 && refused.body.isEmpty && refused.headers["Content-Length"] == "0")
        let allowed = call("GET", "/api/version", ["Host": "127.0.0.1:11434", "Origin": "https://chat.example.com"])
        #expect(allowed.status == 200 && allowed.json["version"] == "0.31.0")
        #expect(allowed.headers.fields.map(\.name) == ["Access-Control-Allow-Origin", "Content-Type", "Content-Length", "Vary"])
        let preflight = call("OPTIONS", "/api/chat", ["Host": "127.0.0.1:11434", "Origin": "https://chat.example.com"])
        #expect(preflight.status == 204 && preflight.headers["Content-Length"] == nil && preflight.headers["Access-Control-Max-Age"] == "43200")
        #expect(call("GET", "/api/tags", ["Host": "primary:11434"]).status == 403)
        // Past both checks the router answers as before: OPTIONS has no route.
        #expect(call("OPTIONS", "/api/chat", ["Host": "127.0.0.1:11434"]).status == 405)
        // A stream keeps its CORS headers on its head.
        let chat = render(mock.respond(to: HTTPRequest(method: "POST", target: "/api/chat", headers: ["Origin": "https://chat.example.com"],
                                                        body: Array(#"{"model":"llama3","messages":[{"role":"user","content":"hi"}]}"#.utf8))))
        #expect(chat.status == 200 && chat.headers["Content-Type"] == "application/x-ndjson" && chat.headers["Access-Control-Allow-Origin"] == "https://chat.example.com")
        #expect(chat.lines.last?["done"] == true)
    }
}
