// libFuzzer target: what the gateway reads from outside besides its config. From an
// upstream: a response's bytes through the client side's HTTP parser, its Retry-After
// headers, and a body through every provider's translation, whole and as an event stream.
// From a client: a body through every provider's request translation, and what the journal
// says it changed. And what the lab's runner reads of a gateway's answer, which may be a
// real gateway's: the body's events and the path in `x-portkey-last-used-option-index`.
@testable import LabHTTP
@testable import Gateway
import LabCore
import LabKit

let nested: PortkeyTarget = try! PortkeyConfigCheck.check(try! JSONParser.parse(#"""
    {"strategy":{"mode":"fallback"},"targets":[
      {"strategy":{"mode":"loadbalance"},"targets":[{"provider":"ollama","custom_host":"http://localhost:1"},{"provider":"ollama","custom_host":"http://localhost:2"}]},
      {"provider":"ollama","custom_host":"http://localhost:3"}]}
    """#))

/// What a response parser reports for `input` fed in reads of `reads` bytes (the rest in
/// one): a line per head, body and end, and whether it stopped on an error.
func responseEvents(_ input: [UInt8], reads: [Int]) -> (lines: [String], failed: Bool) {
    let parser = HTTPMessageParser(kind: HTTP_RESPONSE_KIND)
    var lines: [String] = []
    var body: [UInt8] = []
    parser.onHead = { [unowned parser] in
        let h = parser.head
        lines.append("\(h.status) \(h.versionMajor).\(h.versionMinor) \(h.headers.fields.map { "\($0.name)=\($0.value)" }) \(h.contentLength ?? -1) \(h.keepAlive)")
        body = []
        return h.status < 200 || h.status == 204 || h.status == 304
    }
    parser.onBody = { chunk in
        guard body.count + chunk.count <= 1 << 20 else { return false }
        body.append(contentsOf: chunk)
        return true
    }
    parser.onComplete = { [unowned parser] in lines.append("end \(body) \(parser.lastKeepAlive)") }
    var at = 0, ok = true
    for n in reads + [input.count] where ok && at < input.count {
        let end = min(at + n, input.count)
        ok = input[at..<end].withUnsafeBytes { parser.feed($0) }
        at = end
    }
    return (lines, !ok)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUpstreamAnswer(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = Array(UnsafeRawBufferPointer(start: start, count: count))
    // The input twice, as a kept-alive connection's two answers: read in one go, and in two
    // reads (where the second head, if it repeats the first, is taken without parsing it),
    // and at an odd place: the same heads, bodies and ends.
    let twice = input + input
    let whole = responseEvents(twice, reads: [])
    for reads in [[count], [count, max(1, count / 3)]] {
        let cut = responseEvents(twice, reads: reads)
        precondition(cut.lines == whole.lines && cut.failed == whole.failed, "reads change what a response parser reads")
    }
    // The input as a whole response (status line, headers, body) …
    let parser = HTTPMessageParser(kind: HTTP_RESPONSE_KIND)
    var status = 200
    var headers = HTTPHeaders()
    var body: [UInt8] = []
    parser.onHead = { [unowned parser] in
        status = parser.head.status
        headers = parser.head.headers
        return false
    }
    parser.onBody = { chunk in
        guard body.count + chunk.count <= 1 << 20 else { return false }
        body.append(contentsOf: chunk)
        return true
    }
    input.withUnsafeBytes { _ = parser.feed($0) }
    _ = parser.finish()
    _ = RetryPolicy.retryAfterMs { headers[$0] }
    // … and as a body alone, so that JSON seeds reach the translations directly. Lines of
    // the input also serve as Retry-After values.
    for line in String(decoding: input, as: UTF8.self).split(separator: "\n").prefix(4) {
        for name in ["retry-after-ms", "x-ms-retry-after-ms", "retry-after"] {
            _ = RetryPolicy.retryAfterMs { $0 == name ? String(line) : nil }
        }
    }
    for stream in [true, false] {
        _ = AnswerReading.read(body, stream: stream, succeeded: status == 200)
        _ = AnswerReading.read(input, stream: stream, succeeded: true)
    }
    for path in [headers["x-portkey-last-used-option-index"], String(decoding: input.prefix(200), as: UTF8.self)].compactMap({ $0 }) {
        _ = nested.resolved(at: path)
        _ = nested.fallbackTriggered(at: path)
    }
    let params = try? JSONParser.parse(String(decoding: input, as: UTF8.self))
    for provider in PortkeyProviders.all {
        for answer in [(status, headers["content-type"], body), (200, "application/json", input), (429, "application/json", input)] {
            for endpoint in [GatewayEndpoint.chatComplete, .embed, .complete] {
                _ = provider.response(endpoint, status: answer.0, contentType: answer.1, body: answer.2, AnswerContext(strict: answer.0 == 200))
            }
        }
        for stream in [body, input] {
            var splitter = SSESplitter()
            var transform = provider.streamTransform(AnswerContext())
            for event in splitter.feed(stream) {
                if case .fail = transform.transform(event) { break }
            }
        }
        if let params {
            for endpoint in [GatewayEndpoint.chatComplete, .embed, .complete] where provider.path(endpoint) != nil {
                let sent = provider.body(endpoint, params: params)
                _ = sent.javaScriptCompactBytes
                _ = ParamChanges.notes(provider, endpoint, params: params, sent: sent)
            }
        }
    }
    return 0
}
