import LabCore
import Testing
@testable import MockOllama

/// How long a model stays in memory: the request's `keep_alive`, else the model's, else the
/// server's, counted from the end of its last answer, as Ollama's scheduler keeps it.
@Suite struct KeepAliveTests {
    final class Clock { var now = fixedTime }

    func mock(_ clock: Clock, keepAlive: Int? = nil, pacing: Pacing = Pacing(loadMs: 2000)) -> MockOllama {
        var options = MockOptions(models: [ModelName("llama3")!, ModelName("mistral")!], pacing: pacing)
        if let keepAlive { options.keepAlive = keepAlive }
        return try! MockOllama(options: options, clock: { clock.now })
    }

    func ask(_ model: String = "llama3", keepAlive: String? = nil) -> String {
        #"{"model":"\#(model)","stream":false,"#+(keepAlive.map { #""keep_alive":\#($0),"# } ?? "")+#""messages":[{"role":"user","content":"hi"}]}"#
    }

    func ps(_ m: MockOllama) -> [(String, String)] {
        (m.call("GET", "/api/ps").json["models"]?.arrayValue ?? []).map { ($0["name"]?.stringValue ?? "", $0["expires_at"]?.stringValue ?? "") }
    }

    @Test func aBadKeepAliveIsRefusedInOllamasWords() {
        let m = makeMock()
        for (value, message) in [(#""10""#, #"time: missing unit in duration "10""#), (#""1d""#, #"time: unknown unit "d" in duration "1d""#),
                                 ("true", "Unsupported type: 'bool'"), ("[1]", "Unsupported type: '[]interface {}'")] {
            for path in ["/api/chat", "/api/generate", "/api/embed", "/api/embeddings"] {
                let r = m.call("POST", path, #"{"model":"llama3","keep_alive":\#(value)}"#)
                #expect(r.status == 400 && r.json["error"]?.stringValue == message, "\(path) \(value)")
            }
        }
        // api.Duration decodes itself: its refusal ends the decoding, so it wins over a
        // mistake met before it, and one after it is never reached.
        #expect(m.call("POST", "/api/chat", #"{"model":5,"keep_alive":"10"}"#).json["error"] == #"time: missing unit in duration "10""#)
        #expect(m.call("POST", "/api/chat", #"{"keep_alive":"10","model":5}"#).json["error"] == #"time: missing unit in duration "10""#)
        // Go's null leaves the field unset.
        #expect(m.call("POST", "/api/chat", #"{"model":"llama3","keep_alive":null,"stream":false,"messages":[{"role":"user","content":"hi"}]}"#).status == 200)
    }

    @Test func theKeepAliveCountsFromTheEndOfTheAnswer() {
        let clock = Clock()
        // One second to the first token, ten tokens a second: the answer ends well after it starts.
        let m = mock(clock, pacing: Pacing(timeToFirstTokenMs: 1000, tokensPerSecond: 10, loadMs: 2000))
        let (answer, ticket) = m.open("POST", "/api/chat", ask())
        let endTime = fixedTime.adding(milliseconds: answer.script.totalWaitMs)
        #expect(answer.json["created_at"]?.stringValue == endTime.rfc3339, "the final line comes when the answer ends")
        // While it is answered, /api/ps shows now plus the keep-alive (no expiry was set yet).
        #expect(ps(m).map(\.1) == [fixedTime.adding(milliseconds: 5 * 60_000).rfc3339])
        // However long it takes, the model stays while the answer is under way.
        clock.now = fixedTime.adding(milliseconds: 3_600_000)
        #expect(ps(m).count == 1)
        clock.now = endTime
        m.answerEnded(ticket!)
        #expect(ps(m).map(\.1) == [endTime.adding(milliseconds: 5 * 60_000).rfc3339])
        // Five minutes after the end, not the start, it is still loaded...
        clock.now = endTime.adding(milliseconds: 5 * 60_000 - 1)
        let (second, _) = m.open("POST", "/api/chat", ask())
        #expect(second.json["load_duration"] == 50_000)
        // ...and while this second answer runs, /api/ps shows the expiry the first one set.
        #expect(ps(m).map(\.1) == [endTime.adding(milliseconds: 5 * 60_000).rfc3339])
    }

    @Test func aRequestsKeepAliveStaysWithTheModel() {
        let clock = Clock()
        let m = mock(clock)
        // A minute, then idle past it: loaded again.
        #expect(m.call("POST", "/api/chat", ask(keepAlive: #""1m""#)).script.totalWaitMs == 2000)
        clock.now = fixedTime.adding(milliseconds: 2000 + 60_000)
        #expect(ps(m).isEmpty)
        #expect(m.call("POST", "/api/chat", ask()).script.totalWaitMs == 2000)
        // -1 keeps it for ever, and later requests that give no keep-alive keep that one.
        clock.now = clock.now.adding(milliseconds: 2000)
        #expect(m.call("POST", "/api/chat", ask(keepAlive: "-1")).script.totalWaitMs == 0)
        // Go's time.Now().Add(MaxInt64): some 292 years on (worked out apart from the mock).
        #expect(ps(m).map(\.1) == ["2319-02-28T10:55:00.978232596Z"])
        clock.now = clock.now.adding(milliseconds: 86_400_000)
        #expect(m.call("POST", "/api/chat", ask()).script.totalWaitMs == 0)
        clock.now = clock.now.adding(milliseconds: 86_400_000)
        #expect(m.call("POST", "/api/chat", ask()).script.totalWaitMs == 0)
        // Until one says otherwise: 0 unloads it once its answer ends.
        #expect(m.call("POST", "/api/chat", ask(keepAlive: "0")).json["done"] == true)
        clock.now = clock.now.adding(milliseconds: 1)
        #expect(ps(m).isEmpty)
    }

    @Test func theServersKeepAliveIsTheDefault() {
        let clock = Clock()
        let always = mock(clock, keepAlive: 0)
        #expect(always.call("POST", "/api/chat", ask()).script.totalWaitMs == 2000)
        clock.now = fixedTime.adding(milliseconds: 2000)
        #expect(ps(always).isEmpty)
        #expect(always.call("POST", "/api/chat", ask()).script.totalWaitMs == 2000)
        // /v1 requests carry no keep-alive: the server's applies.
        let hour = mock(Clock(), keepAlive: 3600 * GoDurationTests.second, pacing: .none)
        _ = hour.call("POST", "/v1/chat/completions", #"{"model":"llama3","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(ps(hour).map(\.1) == [fixedTime.adding(milliseconds: 3_600_000).rfc3339])
    }

    @Test func psListsTheLongestLeftFirst() {
        let clock = Clock()
        let m = mock(clock, pacing: .none)
        _ = m.call("POST", "/api/chat", ask("llama3", keepAlive: #""1m""#))
        _ = m.call("POST", "/api/chat", ask("mistral", keepAlive: #""2m""#))
        #expect(ps(m).map(\.0) == ["mistral:latest", "llama3:latest"])
        _ = m.call("POST", "/api/chat", ask("llama3", keepAlive: #""3m""#))
        #expect(ps(m).map(\.0) == ["llama3:latest", "mistral:latest"])
    }

    @Test func anUnloadDuringAnAnswerWaitsForItsEnd() {
        let clock = Clock()
        let m = mock(clock, pacing: Pacing(timeToFirstTokenMs: 1000, tokensPerSecond: 10))
        let (_, ticket) = m.open("POST", "/api/chat", ask())
        clock.now = fixedTime.adding(milliseconds: 500)
        let unload = m.call("POST", "/api/chat", #"{"model":"llama3","keep_alive":0,"messages":[]}"#)
        #expect(unload.json["done_reason"] == "unload")
        // Ollama's expireRunner: expires now, but a model still answering leaves when it ends.
        #expect(ps(m).map(\.1) == [clock.now.rfc3339])
        clock.now = fixedTime.adding(milliseconds: 700)
        m.answerEnded(ticket!)
        #expect(ps(m).isEmpty)
        // /api/delete takes it out at once.
        _ = m.open("POST", "/api/chat", ask())
        _ = m.call("DELETE", "/api/delete", #"{"model":"llama3"}"#)
        #expect(ps(m).isEmpty)
    }

    @Test func aRefusalLoadsNothing() {
        let clock = Clock()
        var options = MockOptions(models: [ModelName("llama3")!, ModelName("gemma")!], pacing: Pacing(loadMs: 2000))
        options.capabilities["gemma:latest"] = [.completion]
        let m = try! MockOllama(options: options, clock: { clock.now })
        let tools = #"[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]"#
        for (path, body) in [("/v1/chat/completions", #"{"model":"gemma","tools":\#(tools),"messages":[{"role":"user","content":"hi"}]}"#),
                             ("/api/chat", #"{"model":"gemma","tools":\#(tools),"messages":[{"role":"user","content":"hi"}]}"#)] {
            let r = m.call("POST", path, body)
            #expect(r.status == 400 && r.script.totalWaitMs == 0, "\(path)")
            #expect(ps(m).isEmpty, "\(path): a refused request starts no load")
        }
        // /v1 embeddings take any model, and load it.
        #expect(m.call("POST", "/v1/embeddings", #"{"model":"llama3","input":"hi"}"#).script.totalWaitMs == 2000)
        #expect(ps(m).map(\.0) == ["llama3:latest"])
    }
}
