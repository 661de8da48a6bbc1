import Testing
import LabCore
@testable import LabHTTP
import MockOllama
@testable import FaultInjector
@testable import ProviderHost

/// Faults seen from a client's side over loopback.
@Suite struct ProviderLoopbackTests {
    let loop = EventLoop()

    func provider(_ rulesJSON: String = "[]", seed: UInt64 = 0) throws -> FakeProvider {
        try FakeProvider(name: "primary", loop: loop, mock: try MockOllama(), rules: try rules(rulesJSON), seed: seed)
    }

    func chat(_ p: FakeProvider, stream: Bool = false, timeouts: ClientTimeouts = ClientTimeouts()) throws -> Result<ClientResponse, HTTPClientError> {
        let body = #"{"model":"llama3","stream":\#(stream),"messages":[{"role":"user","content":"hi"}]}"#
        let client = HTTPClient(loop: loop)
        var result: Result<ClientResponse, HTTPClientError>?
        client.fetch(try ClientRequest(method: "POST", url: p.url + "/api/chat", body: Array(body.utf8)), timeouts: timeouts) { result = $0 }
        loop.run(until: { result != nil }, timeoutMs: 5000)
        return try #require(result)
    }

    func control(_ p: FakeProvider, _ method: String, _ path: String, _ body: String = "") throws -> ClientResponse? {
        let client = HTTPClient(loop: loop)
        var result: Result<ClientResponse, HTTPClientError>?
        client.fetch(try ClientRequest(method: method, url: p.url + path, body: Array(body.utf8))) { result = $0 }
        loop.run(until: { result != nil }, timeoutMs: 5000)
        return try? result?.get()
    }

    @Test func resetBeforeHeadersIsAReset() throws {
        let p = try provider(#"[{"fault":{"reset":"before_headers"}}]"#)
        #expect(try chat(p) == .failure(.reset))
        loop.run(until: { p.journal.entries.first?.outcome != nil }, timeoutMs: 1000)
        #expect(p.journal.entries.first?.outcome == .reset)
    }

    @Test func closeWithNoResponse() throws {
        let p = try provider(#"[{"fault":{"close":"before_headers"}}]"#)
        #expect(try chat(p) == .failure(.closedBeforeResponse))
    }

    @Test func cutStreamIsAnIncompleteBodyAfterA200() throws {
        let p = try provider(#"[{"fault":{"stream":{"cut_after_chunks":2,"then":"close"}}}]"#)
        var head: ClientResponseHead?
        var body: [UInt8] = []
        var failure: HTTPClientError?
        let client = HTTPClient(loop: loop)
        let exchange = client.send(try ClientRequest(method: "POST", url: p.url + "/api/chat",
                                                     body: Array(#"{"model":"llama3","messages":[{"role":"user","content":"hi"}]}"#.utf8)))
        exchange.onHead = { head = $0 }
        exchange.onBody = { body += $0 }
        exchange.onError = { failure = $0 }
        loop.run(until: { failure != nil }, timeoutMs: 3000)
        #expect(head?.status == 200)
        #expect(failure == .closedMidBody)
        #expect(String(decoding: body, as: UTF8.self).split(separator: "\n").count == 2)
        #expect(p.journal.entries.first?.truncated == true)
    }

    @Test func hangIsTheClientsOwnTimeout() throws {
        let p = try provider(#"[{"fault":{"hang":true}}]"#)
        #expect(try chat(p, timeouts: ClientTimeouts(responseMs: 100)) == .failure(.responseTimeout))
        loop.run(until: { p.journal.entries.first?.outcome != nil }, timeoutMs: 1000)
        #expect(p.journal.entries.first?.outcome == .clientGone)
    }

    @Test func retryAfterArrives() throws {
        let p = try provider(#"[{"when":{"first":1},"fault":{"status":429,"retry_after":2}}]"#)
        let limited = try chat(p).get()
        #expect(limited.status == 429 && limited.headers["Retry-After"] == "2")
        #expect(try chat(p).get().status == 200)
    }

    @Test func delayIsFeltOnTheWire() throws {
        let p = try provider(#"[{"fault":{"delay_ms":150}}]"#)
        let start = EventLoop.monotonicNs
        #expect(try chat(p).get().status == 200)
        #expect(Double(EventLoop.monotonicNs - start) / 1e6 >= 149)
        #expect(p.journal.entries.first?.steps.first?.kind == .waited(ms: 150))
    }

    @Test func controlAPIReplacesRulesAndShowsTheJournal() throws {
        let p = try provider()
        #expect(try control(p, "GET", "/__lab/health")?.status == 200)
        let put = try control(p, "PUT", "/__lab/faults", #"[{"name":"x","when":{"first":1},"fault":{"status":503}}]"#)
        #expect(put?.status == 200)
        #expect(try JSONParser.parse(try #require(put).body) == (try JSONParser.parse(#"[{"name":"x","when":{"first":1},"fault":{"status":503}}]"#)))
        #expect(try chat(p).get().status == 503)
        #expect(try chat(p).get().status == 200)
        let journal = try JSONParser.parse(try #require(try control(p, "GET", "/__lab/journal")).body)
        #expect(journal.arrayValue?.count == 2)
        #expect(journal.arrayValue?.first?["rule"]?["name"] == "x")
        #expect(journal.arrayValue?.first?["status"] == 503)
        let bad = try control(p, "PUT", "/__lab/faults", #"[{"fault":{"status":"x"}}]"#)
        #expect(bad?.status == 400 && bad?.text.contains("rule 1: fault.status") == true)
        #expect(try control(p, "DELETE", "/__lab/faults")?.status == 200)
        #expect(p.faults.rules.isEmpty)
        #expect(try control(p, "DELETE", "/__lab/journal")?.status == 200)
        #expect(p.journal.entries.isEmpty)
        #expect(try control(p, "GET", "/__lab/nope")?.status == 404)
    }

    /// The journal says how long an answer waited for its model to load; a fault that
    /// answers in its place did not wait.
    @Test func theJournalKeepsAModelsLoad() throws {
        let mock = try MockOllama(options: MockOptions(pacing: Pacing(loadMs: 50)))
        let p = try FakeProvider(name: "primary", loop: loop, mock: mock, rules: try rules(#"[{"when":{"first":1},"fault":{"status":503}}]"#))
        #expect(try chat(p).get().status == 503)
        // A fresh start: no rule, no model in memory.
        #expect(try control(p, "DELETE", "/__lab/faults")?.status == 200)
        #expect(try control(p, "DELETE", "/__lab/journal")?.status == 200)
        #expect(try chat(p).get().status == 200)
        #expect(try chat(p).get().status == 200)
        loop.run(until: { p.journal.entries.count == 2 && p.journal.entries.allSatisfy { $0.outcome != nil } }, timeoutMs: 1000)
        #expect(p.journal.entries.map(\.modelWaitMs) == [50, nil])
        #expect(p.journal.entries.first?.json["model_wait_ms"] == 50)
    }

    @Test func aFaultInPlaceOfTheAnswerWaitsForNoModel() throws {
        let mock = try MockOllama(options: MockOptions(pacing: Pacing(loadMs: 50)))
        let p = try FakeProvider(name: "primary", loop: loop, mock: mock, rules: try rules(#"[{"when":{"first":1},"fault":{"status":503}}]"#))
        #expect(try chat(p).get().status == 503)
        #expect(p.journal.entries.first?.modelWaitMs == nil && p.journal.entries.first?.json["model_wait_ms"] == nil)
    }

    @Test func downMeansRefusedUntilUp() throws {
        let p = try provider()
        #expect(try control(p, "POST", "/__lab/down", #"{"for_ms":200}"#)?.status == 200)
        loop.run(until: { !p.isUp }, timeoutMs: 1000)
        guard case .failure(.refused) = try chat(p) else { Issue.record("expected refused"); return }
        loop.run(until: { p.isUp }, timeoutMs: 2000)
        #expect(try chat(p).get().status == 200)
    }

    @Test func aMistakenDownIsRefusedAndTheProviderStaysUp() throws {
        // Any of these once took the provider down for good: the body was read leniently,
        // so a typo meant "down until up", and up could no longer get in.
        let p = try provider()
        for (body, error) in [("[", "body is not JSON"), (#"{"for_ms":-1}"#, "down: for_ms: expected at least 1, got -1"),
                              (#"{"for_ms":"5s"}"#, #"down: for_ms: expected a whole number, got "5s""#),
                              (#"{"forMs":500}"#, "down: forMs: unknown key (expected one of for_ms)"),
                              (#"{"for_ms":9223372036854775807}"#, "down: for_ms: expected at most 315360000000 (ten years of milliseconds)")] {
            let r = try control(p, "POST", "/__lab/down", body)
            #expect(r?.status == 400, "\(body)")
            #expect((try? JSONParser.parse(try #require(r).body))?["error"]?.stringValue?.hasPrefix(error) == true, "\(body)")
        }
        #expect(p.isUp)
        #expect(try chat(p).get().status == 200)
        #expect(try ProviderHost.FakeProvider.downFor(Array(" \n".utf8)) == nil)
        #expect(try ProviderHost.FakeProvider.downFor(Array("{}".utf8)) == nil)
    }

    @Test func sameSeedSameDecisionJournal() throws {
        func run(seed: UInt64) throws -> [String] {
            let p = try provider(#"[{"when":{"probability":0.4},"fault":{"status":503}},{"when":{"every":3},"fault":{"delay_ms":1}}]"#, seed: seed)
            for _ in 0..<12 { _ = try chat(p) }
            return p.journal.entries.map { "\($0.ruleNumber ?? 0) \($0.status ?? 0) \($0.draws)" }
        }
        let a = try run(seed: 7)
        #expect(a == (try run(seed: 7)))
        #expect(a != (try run(seed: 8)))
    }
}

@Suite struct ControlAPISafetyTests {
    @Test func aNonLoopbackBindNeedsAToken() throws {
        let loop = EventLoop()
        #expect(throws: ControlAPIError.self) {
            _ = try FakeProvider(name: "p", loop: loop, mock: try MockOllama(), host: "0.0.0.0")
        }
        let p = try FakeProvider(name: "p", loop: loop, mock: try MockOllama(), host: "127.0.0.1", controlToken: "s3cret")
        let client = HTTPClient(loop: loop)
        func health(_ headers: HTTPHeaders, path: String = "/__lab/journal") throws -> Int? {
            var result: Result<ClientResponse, HTTPClientError>?
            client.fetch(try ClientRequest(method: "GET", url: p.url + path, headers: headers)) { result = $0 }
            loop.run(until: { result != nil }, timeoutMs: 2000)
            return try? result?.get().status
        }
        #expect(try health([:]) == 401)
        // Health answers anyone: probes cannot carry a secret.
        #expect(try health([:], path: "/__lab/health") == 200)
        #expect(try health(["x-lab-token": "s3cret"]) == 200)
        // One documented header: no other scheme carries the token.
        #expect(try health(["Authorization": "Bearer s3cret"]) == 401)
        #expect(try health(["x-lab-token": ""]) == 401)
        #expect(try health(["x-lab-token": "s3cre"]) == 401)
        // What the lab's gateway or route relays is refused, token or not.
        #expect(try health(["x-lab-token": "s3cret", "x-lab-via": "gateway"]) == 403)
    }

    @Test func anEmptyTokenDoesNotStart() throws {
        let loop = EventLoop()
        #expect(throws: ControlAPIError.self) {
            _ = try FakeProvider(name: "p", loop: loop, mock: try MockOllama(), host: "0.0.0.0", controlToken: "")
        }
        #expect(ControlAccess.sameSecret("abc", "abc") && !ControlAccess.sameSecret("abc", "abd") && !ControlAccess.sameSecret("abc", "ab") && !ControlAccess.sameSecret("", "a"))
    }
}

@Suite struct JournalLimitTests {
    @Test func keepsTheLatestEntriesAndCountsTheRest() {
        let journal = Journal(limit: 10)
        for _ in 0..<25 { _ = journal.open(atMs: 0, request: chatRequest, model: nil, decision: nil) }
        #expect(journal.entries.count <= 10)
        #expect(journal.total == 25)
        #expect(journal.dropped + journal.entries.count == 25)
        #expect(journal.entries.last?.sequence == 25)
    }
}

@Suite struct JournalCompletenessTests {
    @Test func refusedAndAbortedRequestsAreJournaled() throws {
        let loop = EventLoop()
        let p = try FakeProvider(name: "p", loop: loop, mock: try MockOllama(), rules: try rules(#"[{"match":{"path":"/api/generate"},"fault":{"hang":true}}]"#))
        let client = HTTPClient(loop: loop)
        // A request whose headers are too large, one the client abandons, and a normal one.
        var done = 0
        client.fetch(try ClientRequest(method: "GET", url: p.url + "/api/tags", headers: ["X-Big": String(repeating: "a", count: 70_000)])) { _ in done += 1 }
        client.fetch(try ClientRequest(method: "POST", url: p.url + "/api/generate", body: Array(#"{"model":"llama3","prompt":"x"}"#.utf8)),
                     timeouts: ClientTimeouts(responseMs: 50)) { _ in done += 1 }
        client.fetch(try ClientRequest(method: "GET", url: p.url + "/api/version")) { _ in done += 1 }
        loop.run(until: { done == 3 && p.journal.entries.count == 3 && p.journal.entries.allSatisfy { $0.outcome != nil } }, timeoutMs: 3000)
        let seen = p.journal.entries.map { "\($0.path) \($0.status.map(String.init) ?? "-") \(JournalEntry.name($0.outcome))" }.sorted()
        #expect(seen == ["/api/generate - client_gone", "/api/tags 431 completed", "/api/version 200 completed"])
    }
}

/// Generation slots on the wire: each model's own, and taken only by what generates.
@Suite struct GenerationSlotLoopbackTests {
    let loop = EventLoop()

    /// A one-slot Ollama whose first answer, a streamed one, hangs before its head (and so
    /// holds its slot while its client waits).
    func provider() throws -> FakeProvider {
        let mock = try MockOllama(options: MockOptions(models: [ModelName("llama3:70b")!, ModelName("llama3:8b")!]))
        let p = try FakeProvider(name: "gpu", loop: loop, mock: mock, rules: try rules(#"[{"when":{"first":1},"fault":{"hang":true}}]"#))
        p.slots = GenerationSlots(count: 1)
        return p
    }

    func post(_ p: FakeProvider, _ body: String, responseMs: Int = 5000, _ done: @escaping (Result<ClientResponse, HTTPClientError>) -> Void) throws {
        HTTPClient(loop: loop).fetch(try ClientRequest(method: "POST", url: p.url + "/api/chat", body: Array(body.utf8)),
                                     timeouts: ClientTimeouts(responseMs: responseMs), done)
    }

    @Test func anotherModelAndALoadDoNotWaitForABusySlot() throws {
        let p = try provider()
        var hung: Result<ClientResponse, HTTPClientError>?
        try post(p, #"{"model":"llama3:70b","messages":[{"role":"user","content":"hi"}]}"#, responseMs: 20_000) { hung = $0 }
        loop.run(until: { p.slots?.generating == 1 }, timeoutMs: 3000)
        // The 70B model's one slot is held: another 70B answer waits for it…
        var queued: Result<ClientResponse, HTTPClientError>?
        try post(p, #"{"model":"llama3:70b","stream":false,"messages":[{"role":"user","content":"again"}]}"#) { queued = $0 }
        loop.run(until: { p.slots?.queued == 1 }, timeoutMs: 3000)
        // …while the 8B model answers from its own slot, and a request that only loads the
        // 70B model is answered without one, as Ollama answers it.
        var small: Result<ClientResponse, HTTPClientError>?, load: Result<ClientResponse, HTTPClientError>?
        try post(p, #"{"model":"llama3:8b","stream":false,"messages":[{"role":"user","content":"hi"}]}"#) { small = $0 }
        try post(p, #"{"model":"llama3:70b","messages":[]}"#) { load = $0 }
        loop.run(until: { small != nil && load != nil }, timeoutMs: 5000)
        #expect(try small?.get().status == 200)
        let loaded = try #require(try load?.get())
        #expect(loaded.status == 200 && String(decoding: loaded.body, as: UTF8.self).contains(#""done_reason":"load""#))
        #expect(queued == nil && hung == nil && p.slots?.queued == 1)
    }

    /// A queued answer as Ollama gives it: its `total_duration` counts the wait for the slot
    /// and its `created_at` is when it was made; a load it waited for went on during the wait
    /// and is not waited for again. On the simulated clock, so the numbers are exact.
    @Test func aQueuedAnswerCountsItsWait() throws {
        let loop = EventLoop(clock: .simulation)
        var options = MockOptions()
        options.pacing = Pacing(timeToFirstTokenMs: 1000, tokensPerSecond: 10, loadMs: 500)
        let p = try FakeProvider(name: "gpu", loop: loop, mock: try MockOllama(options: options))
        p.slots = GenerationSlots(count: 1)
        var logged: [String] = []
        p.log = { logged.append($0) }
        var answers: [Int: ClientResponse] = [:]
        var leaver: Result<ClientResponse, HTTPClientError>?
        for i in 0..<3 {
            let stream = i == 0 ? "false" : "true"
            let request = try ClientRequest(method: "POST", url: p.url + "/api/chat", body: Array(
                #"{"model":"llama3","stream":\#(stream),"messages":[{"role":"user","content":"hi"}]}"#.utf8))
            // The third gives up after 2 s, still waiting behind the other two.
            guard i < 2 else { HTTPClient(loop: loop).fetch(request, timeouts: ClientTimeouts(responseMs: 2000)) { leaver = $0 }; continue }
            HTTPClient(loop: loop).fetch(request) { answers[i] = try? $0.get() }
        }
        #expect(loop.run(until: { answers.count == 2 && leaver != nil }, timeoutMs: 120_000))
        let first = try JSONParser.parse(try #require(answers[0]).body)
        let lines = String(decoding: try #require(answers[1]).body, as: UTF8.self).split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        let second = try #require(lines.last)
        // Both asked during the load: each waited for it (load_duration), the second then for the slot.
        // The first answer's last token leaves `generation` ms after its first could start.
        let tokens = try #require(first["eval_count"]?.intValue)
        let generation = 1000 + (tokens - 1) * 100
        let firstTotal = try #require(first["total_duration"]?.intValue)
        #expect(first["load_duration"]?.intValue == 500_000_000 && second["load_duration"]?.intValue == 500_000_000)
        // The first took its load and its generation, and says so.
        #expect(firstTotal == (500 + generation) * 1_000_000)
        #expect(second["total_duration"]?.intValue == firstTotal + generation * 1_000_000)
        #expect(second["eval_count"]?.intValue == tokens)
        // Every line is dated when it is sent: after the first answer, not at arrival.
        let firstAt = try #require(Self.msOfDay(first["created_at"]?.stringValue))
        let times = lines.compactMap { Self.msOfDay($0["created_at"]?.stringValue) }
        #expect(times.count == lines.count && times.first.map { $0 - firstAt } == 1000)
        #expect(times.last.map { $0 - firstAt } == generation)
        // On the wire the same: the second's last byte a whole generation after the first's.
        let entries = p.journal.entries
        let ends = entries.map { $0.atMs + ($0.steps.last?.atMs ?? 0) }
        #expect(ends.count == 3 && Int((ends[1] - ends[0]).rounded()) == generation)
        // The journal says how long each waited for its slot past the load.
        #expect(entries.map(\.slotWaitMs) == [nil, generation, 1500])
        #expect(entries[1].json["slot_wait_ms"]?.intValue == generation && entries[0].json["slot_wait_ms"] == nil)
        #expect(entries[2].outcome == .clientGone && entries[2].status == nil)
        // `lab mock`'s log line says what each waited for.
        #expect(logged.contains { $0.contains("model_wait=500ms slot_wait=\(generation)ms") })
        #expect(logged.contains { $0.contains("client-gone") && $0.hasSuffix("model_wait=500ms slot_wait=1500ms") })
    }

    /// Milliseconds into the day of an RFC 3339 time (`2026-11-27T13:31:02.950039148Z`).
    static func msOfDay(_ text: String?) -> Int? {
        guard let text, let t = text.split(separator: "T").last?.dropLast() else { return nil }
        let parts = t.split(separator: ":")
        guard parts.count == 3, let h = Int(parts[0]), let m = Int(parts[1]), let s = Double(parts[2]) else { return nil }
        return (h * 3600 + m * 60) * 1000 + Int((s * 1000).rounded())
    }
}

@Suite struct RequestLogLineTests {
    @Test func aModelNameCannotActOnTheTerminal() {
        // The model comes from the client's body: an escape sequence in it (here: clear the
        // screen) reached the operator's terminal through the mock's log.
        let responder = Responder(request: HTTPRequest(method: "POST", target: "/api/chat"), peer: "127.0.0.1:5", connection: nil, loop: nil)
        let line = RequestLogLine.format(responder, model: "\u{1B}[2Jllama3")
        #expect(line.contains(#"model=\u{1B}[2Jllama3 from 127.0.0.1:5"#))
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 })
    }
}
