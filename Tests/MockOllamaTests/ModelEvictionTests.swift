import LabCore
import Testing
@testable import MockOllama

/// A limit on the models in memory (`OLLAMA_MAX_LOADED_MODELS`, or a GPU that holds one):
/// another model waits for room as Ollama's scheduler makes it.
@Suite struct ModelEvictionTests {
    final class Clock { var now = fixedTime }

    func mock(_ clock: Clock, limit: Int, models: [String] = ["llama3:70b", "llama3:8b"]) -> MockOllama {
        var options = MockOptions(models: models.map { ModelName($0)! }, pacing: Pacing(loadMs: 2000))
        options.maxLoadedModels = limit
        return try! MockOllama(options: options, clock: { clock.now })
    }

    func ask(_ model: String, keepAlive: String = "") -> String {
        #"{"model":"\#(model)","stream":false,\#(keepAlive)"messages":[{"role":"user","content":"hi"}]}"#
    }

    func names(_ m: MockOllama) -> [String] {
        (m.call("GET", "/api/ps").json["models"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    @Test func anotherModelWaitsForTheFirstToFinishAndLeave() {
        let clock = Clock()
        let m = mock(clock, limit: 1)
        let (big, bigTicket) = m.open("POST", "/api/chat", ask("llama3:70b"))
        #expect(big.script.totalWaitMs == 2000)
        // Half a second later the small model is asked for: the big one's answer ends at
        // 2 s, then the small one loads for 2 s. Ollama's load_duration counts from the
        // request's start, the wait for room included.
        clock.now = fixedTime.adding(milliseconds: 500)
        let (small, smallTicket) = m.open("POST", "/api/chat", ask("llama3:8b"))
        #expect(small.script.totalWaitMs == 3500 && small.json["load_duration"] == 3_500_000_000)
        // The big model again, meanwhile: it left at 2 s, and it waits for the small one's
        // load and answer to make room in turn (Ollama thrashing between two models).
        clock.now = fixedTime.adding(milliseconds: 1000)
        let (again, _) = m.open("POST", "/api/chat", ask("llama3:70b"))
        #expect(again.script.totalWaitMs == 5000)
        _ = (bigTicket, smallTicket)
    }

    @Test func everyRequestWaitsWhileTheSchedulerMakesRoom() {
        let clock = Clock()
        var options = MockOptions(models: [ModelName("llama3")!, ModelName("mistral")!, ModelName("gemma")!],
                                  pacing: Pacing(timeToFirstTokenMs: 8000, loadMs: 2000))
        options.maxLoadedModels = 2
        let m = try! MockOllama(options: options, clock: { clock.now })
        // Both models answer until 10 s.
        let (_, llama) = m.open("POST", "/api/chat", ask("llama3"))
        let (_, mistral) = m.open("POST", "/api/chat", ask("mistral"))
        // gemma needs room at 3 s: none is idle, so the first loaded (both keep five
        // minutes) goes when its answer ends, at 10 s; gemma then loads for 2 s.
        clock.now = fixedTime.adding(milliseconds: 3000)
        #expect(m.open("POST", "/api/chat", ask("gemma")).0.script.totalWaitMs == 7000 + 2000 + 8000)
        // Meanwhile Ollama's scheduler waits, so a request for mistral, in memory, waits too.
        clock.now = fixedTime.adding(milliseconds: 4000)
        #expect(m.open("POST", "/api/chat", ask("mistral")).0.script.totalWaitMs == 6000 + 8000)
        #expect(Set(names(m)) == ["mistral:latest", "gemma:latest"])
        _ = (llama, mistral)
    }

    @Test func anIdleModelMakesRoomFirst() {
        let clock = Clock()
        let m = mock(clock, limit: 2, models: ["llama3", "mistral", "gemma"])
        _ = m.call("POST", "/api/chat", ask("llama3"))
        _ = m.call("POST", "/api/chat", ask("mistral"))
        clock.now = fixedTime.adding(milliseconds: 3000)
        // mistral is answering; llama3, idle, goes at once and gemma loads.
        let (_, mistralTicket) = m.open("POST", "/api/chat", ask("mistral"))
        #expect(m.call("POST", "/api/chat", ask("gemma")).script.totalWaitMs == 2000)
        #expect(Set(names(m)) == ["mistral:latest", "gemma:latest"])
        m.answerEnded(mistralTicket!)
    }

    @Test func theShortestKeepAliveGoesFirstAndAnAbandonedAnswerFreesItsModel() {
        let clock = Clock()
        let m = mock(clock, limit: 2, models: ["llama3", "mistral", "gemma"])
        _ = m.call("POST", "/api/chat", ask("llama3", keepAlive: #""keep_alive":-1,"#))
        _ = m.call("POST", "/api/chat", ask("mistral", keepAlive: #""keep_alive":"1h","#))
        clock.now = fixedTime.adding(milliseconds: 3000)
        #expect(m.call("POST", "/api/chat", ask("gemma")).script.totalWaitMs == 2000)
        #expect(Set(names(m)) == ["llama3:latest", "gemma:latest"], "mistral's hour is shorter than for ever")
        // One model fits; gemma's answer is planned to take 20 s, but its client leaves at
        // 4 s: llama3 then loads at once, not when gemma's answer would have ended.
        let slow = try! MockOllama(options: {
            var o = MockOptions(models: [ModelName("llama3")!, ModelName("gemma")!], pacing: Pacing(timeToFirstTokenMs: 20_000, loadMs: 2000))
            o.maxLoadedModels = 1
            return o
        }(), clock: { clock.now })
        clock.now = fixedTime
        let (_, gemmaTicket) = slow.open("POST", "/api/chat", ask("gemma"))
        clock.now = fixedTime.adding(milliseconds: 4000)
        slow.answerEnded(gemmaTicket!)
        clock.now = fixedTime.adding(milliseconds: 4500)
        #expect(slow.call("POST", "/api/chat", ask("llama3")).script.totalWaitMs == 22_000, "a 2 s load from 4.5 s and 20 s to the answer")
    }

    @Test func anEmbeddingModelTakesAPlaceToo() {
        let clock = Clock()
        let m = mock(clock, limit: 1, models: ["llama3", "nomic-embed-text"])
        /// A request answered in full: its end reported when its wait is over.
        func answered(_ path: String, _ body: String) -> Int {
            let (r, ticket) = m.open("POST", path, body)
            clock.now = clock.now.adding(milliseconds: r.script.totalWaitMs)
            if let ticket { m.answerEnded(ticket) }
            return r.script.totalWaitMs
        }
        // A retrieval app: embed the question, then answer it — each swaps the other out.
        for _ in 0..<2 {
            #expect(answered("/api/embed", #"{"model":"nomic-embed-text","input":"what is up?"}"#) == 2000)
            #expect(answered("/api/chat", ask("llama3")) == 2000)
        }
        #expect(names(m) == ["llama3:latest"])
        // Each loaded twice: what /metrics counts.
        #expect(m.loadCounts.map(\.model) == ["nomic-embed-text:latest", "llama3:latest"] && m.loadCounts.map(\.loads) == [2, 2])
        #expect(m.modelsInMemory == 1)
    }

    /// Requests wait in the scheduler's queue while it makes room; past `OLLAMA_MAX_QUEUE`
    /// Ollama answers 503 at once.
    @Test func aFullQueueIsOllamas503() {
        let clock = Clock()
        var options = MockOptions(models: [ModelName("llama3")!, ModelName("mistral")!], pacing: Pacing(timeToFirstTokenMs: 8000, loadMs: 2000))
        options.maxLoadedModels = 1
        options.maxQueue = 2
        let m = try! MockOllama(options: options, clock: { clock.now })
        let (_, first) = m.open("POST", "/api/chat", ask("llama3"))
        // mistral needs room: the scheduler waits for llama3's answer (until 10 s).
        clock.now = fixedTime.adding(milliseconds: 1000)
        let (swap, _) = m.open("POST", "/api/chat", ask("mistral"))
        #expect(swap.script.totalWaitMs == 9000 + 2000 + 8000)
        // Two more wait in the queue; the third is refused, natively and on /v1.
        for _ in 0..<2 { #expect(m.open("POST", "/api/chat", ask("llama3")).0.status == 200) }
        let busy = m.call("POST", "/api/chat", ask("llama3"))
        #expect(busy.status == 503 && busy.json["error"] == "server busy, please try again.  maximum pending requests exceeded")
        let v1 = m.call("POST", "/v1/chat/completions", #"{"model":"llama3","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(v1.status == 503 && v1.json["error"]?["message"] == "server busy, please try again.  maximum pending requests exceeded")
        // Once the scheduler has taken them (at 10 s), there is room again.
        clock.now = fixedTime.adding(milliseconds: 10_000)
        #expect(m.open("POST", "/api/chat", ask("mistral")).0.status == 200)
        _ = first
    }
}

