// libFuzzer target: the HTTP request path — http_parser feeding the server's message
// parser, then the mock and the fault injector answering whatever request came out, and
// the fake OpenAI and Anthropic answering its body (with their keys, on their chat paths,
// so that the body's checks are reached).
@testable import LabHTTP
import LabCore
import MockOllama
import MockVendors
import FaultInjector

nonisolated(unsafe) let vendors: [(mock: any MockService, path: String)] = [
    (try! FakeOpenAI(), "/v1/chat/completions"), (try! FakeAnthropic(), "/v1/messages"),
]

nonisolated(unsafe) let mock: MockOllama = {
    // Ollama's CORS and Host checks on, so every Origin and Host the fuzzer makes meets them.
    var options = MockOptions(models: [ModelName("llama3")!, ModelName("nomic-embed-text")!])
    options.origins = ["https://chat.example.com", "chrome-extension://*", "https://*.corp.example"]
    options.hostCheck = AccessPolicy.Machine(hostname: "gpu-box", addresses: ["203.0.113.7", "2001:db8::7"])
    // One model in memory at a time, loads that take time: keep_alive and the making of
    // room run on every request.
    options.maxLoadedModels = 1
    options.pacing = Pacing(loadMs: 1000)
    let mock = try! MockOllama(options: options)
    // As behind generation slots: answers are made when sent, from how late they started.
    mock.answersMayWait(true)
    return mock
}()
nonisolated(unsafe) let injector = FaultInjector(rules: try! FaultRuleParser.parse(try! JSONParser.parse(#"""
    [{"match":{"path":"/api/*"},"when":{"every":3},"fault":{"stream":{"cut_after_chunks":1,"then":"close"}}},
     {"when":{"probability":0.3},"fault":{"status":503,"delay_ms":5}},
     {"match":{"model":"llama3"},"when":{"every":5},"fault":{"stream":{"malformed_chunk":1}}}]
    """#)), seed: 1)

/// The requests a server's parser reads from `input` fed in `reads` (the lengths of its
/// reads, the rest in one), and whether it stopped on an error.
func parse(_ input: UnsafeRawBufferPointer, reads: [Int]) -> (requests: [HTTPRequest], failed: Bool) {
    let parser = HTTPMessageParser(kind: HTTP_REQUEST_KIND, maxHeaderBytes: 64 * 1024)
    var body: [UInt8] = []
    var requests: [HTTPRequest] = []
    parser.onHead = { body = []; return false }
    parser.onBody = { chunk in
        guard body.count + chunk.count <= 1 << 20 else { return false }
        body.append(contentsOf: chunk)
        return true
    }
    parser.onComplete = { [unowned parser] in
        let head = parser.head
        requests.append(HTTPRequest(method: head.method, target: head.url, headers: head.headers, body: body, keepAlive: parser.lastKeepAlive))
    }
    var at = 0, ok = true
    for n in reads + [input.count] where ok && at < input.count {
        let end = min(at + n, input.count)
        ok = parser.feed(UnsafeRawBufferPointer(rebasing: input[at..<end]))
        at = end
    }
    _ = parser.partialRequestLine
    return (requests, !ok)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequest(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let (requests, failed) = parse(input, reads: [])
    // The same bytes in reads cut at every request's end (where a repeated head is taken
    // without parsing it again) and then at odd places: the same requests, the same end.
    var cuts: [Int] = []
    var from = 0
    while let end = (from..<max(from, count - 3)).first(where: { i in (0..<4).allSatisfy { input[i + $0] == [13, 10, 13, 10][$0] } }) {
        let bodyLength = requests.indices.contains(cuts.count) ? requests[cuts.count].body.count : 0
        let next = min(end + 4 + bodyLength, count)
        cuts.append(next - from)
        from = next
    }
    for reads in [cuts, cuts.map { max(1, $0 / 2) }] {
        let again = parse(input, reads: reads)
        precondition(again.failed == failed && again.requests.count == requests.count, "reads change what is parsed")
        for (a, b) in zip(again.requests, requests) {
            precondition(a.method == b.method && a.target == b.target && a.body == b.body && a.keepAlive == b.keepAlive
                         && a.headers.fields.map(\.name) == b.headers.fields.map(\.name)
                         && a.headers.fields.map(\.value) == b.headers.fields.map(\.value), "reads change a request")
        }
    }
    for request in requests {
        let (script, model) = mock.answer(to: request)
        let decision = injector.decide(request, model: model, nowMs: 0, script: script)
        // Started late, then made whole, as the executor would send it.
        mock.lastAnswerStart?.lateMs = 250
        _ = decision.script.materialized
        if let ticket = mock.lastTicket { mock.answerEnded(ticket) }
        var keyed = request.headers
        for (name, value) in [("Authorization", "Bearer k"), ("x-api-key", "k"), ("anthropic-version", "2023-06-01")] { keyed.set(name, value) }
        for vendor in vendors {
            for sent in [request, HTTPRequest(method: "POST", target: vendor.path, headers: keyed, body: request.body)] {
                _ = vendor.mock.answer(to: sent).script.materialized
            }
        }
    }
    return 0
}
