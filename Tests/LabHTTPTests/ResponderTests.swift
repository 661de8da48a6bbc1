import LabCore
@testable import LabHTTP
import Testing

/// A response's bytes come from its responder alone: exact steps in, exact bytes out,
/// no socket, no loop.
@Suite struct ResponderTests {
    func responder(_ method: String = "GET", minor: Int = 1, keepAlive: Bool = true) -> Responder {
        Responder(request: HTTPRequest(method: method, target: "/", versionMajor: 1, versionMinor: minor, keepAlive: keepAlive),
                  peer: "test", connection: nil, loop: nil)
    }

    func run(_ r: Responder, _ steps: [WireStep]) -> (bytes: String, effects: [Responder.Effect]) {
        var out = ByteBuffer()
        var effects: [Responder.Effect] = []
        r.send(steps)
        while let step = r.nextStep() { effects.append(r.perform(step, into: &out, heads: ResponseHeads(date: { "Thu, 01 Jan 2026 00:00:00 GMT" }))) }
        return (String(decoding: out.bytes, as: UTF8.self), effects)
    }

    /// A head copied from the server's last one is byte for byte the head written anew, with
    /// the same framing, whichever of the things it is written from changed, or none.
    @Test func aKeptHeadIsCopiedOnlyForTheSameAnswerToTheSameKindOfRequest() {
        var random = SeededRandom(seed: 11)
        func pick(_ count: Int) -> Int { random.next() % 3 == 0 ? Int(random.next() % UInt64(count)) : 0 }
        var date = "Thu, 01 Jan 2026 00:00:00 GMT"
        let shared = ResponseHeads(date: { date })
        let fieldSets: [HTTPHeaders] = [["Content-Type": "application/json", "Content-Length": "2"],
                                        ["Content-Type": "application/json", "Content-Length": "3"],
                                        ["content-type": "application/json", "Content-Length": "2"],
                                        ["Content-Type": "application/json"], ["Content-Length": "2", "Connection": "close"]]
        for n in 0..<300 {
            if pick(4) == 1 { date = "Thu, 01 Jan 2026 00:00:0\(n % 10) GMT" }
            let request = HTTPRequest(method: ["POST", "HEAD"][pick(2)], target: "/", versionMajor: 1, versionMinor: [1, 0][pick(2)],
                                      keepAlive: pick(2) == 0)
            let steps: [WireStep] = [.head(status: [200, 404][pick(2)], headers: fieldSets[pick(fieldSets.count)]), .body(Array("ok".utf8)), .end]
            func run(_ heads: ResponseHeads) -> (String, [Responder.Effect]) {
                let r = Responder(request: request, peer: "test", connection: nil, loop: nil)
                var out = ByteBuffer()
                var effects: [Responder.Effect] = []
                r.send(steps)
                while let step = r.nextStep() { effects.append(r.perform(step, into: &out, heads: heads)) }
                return (String(decoding: out.bytes, as: UTF8.self), effects)
            }
            let fresh = run(ResponseHeads(date: { date }))
            let copied = run(shared)
            #expect(copied.0 == fresh.0 && copied.1 == fresh.1)
        }
    }

    @Test func statusLinesSayGosReasonPhrases() {
        #expect(HTTPStatus.statusLine(307) == Array("HTTP/1.1 307 Temporary Redirect\r\n".utf8))
        #expect(HTTPStatus.reason(418) == "I'm a teapot" && HTTPStatus.reason(511) == "Network Authentication Required")
        // A code Go has no text for, as Go writes it; Anthropic's 529 keeps its name.
        #expect(HTTPStatus.reason(599) == "status code 599" && HTTPStatus.reason(529) == "Site Overloaded")
    }

    @Test func aStreamWithoutLengthIsChunked() {
        let (bytes, effects) = run(responder(), [.head(status: 200, headers: ["Content-Type": "text/plain"]), .body(Array("hello".utf8)),
                                                 .wait(ms: 5), .body(Array("!".utf8)), .end])
        #expect(bytes == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n")
        #expect(effects == [.next, .next, .wait(ms: 5), .next, .ended(close: false)])
    }

    @Test func aKnownLengthIsSentAsIsAndAClientThatLeavesGetsConnectionClose() {
        let (bytes, effects) = run(responder(keepAlive: false), [.head(status: 404, headers: ["Content-Length": "2"]), .body(Array("no".utf8)), .end])
        #expect(bytes == "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nConnection: close\r\n\r\nno")
        #expect(effects.last == .ended(close: true))
    }

    @Test func http10WithoutLengthEndsByClosing() {
        let (bytes, effects) = run(responder(minor: 0), [.head(status: 200, headers: [:]), .body(Array("x".utf8)), .end])
        #expect(bytes == "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\nx")
        #expect(effects.last == .ended(close: true))
    }

    @Test func fieldsTheServerOwnsAreReplacedAndGoLastInOneOrder() {
        // A handler's own Transfer-Encoding gives way to the chunked framing the server does.
        let (chunked, _) = run(responder(), [.head(status: 200, headers: ["Transfer-Encoding": "gzip", "X-A": "1", "connection": "keep-alive"]), .end])
        #expect(chunked == "HTTP/1.1 200 OK\r\nX-A: 1\r\nconnection: keep-alive\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        // An HTTP/1.0 client kept alive is told so, once, whatever the handler wrote.
        let (kept, effects) = run(responder(minor: 0), [.head(status: 200, headers: ["Connection": "other", "Content-Length": "1", "Date": "d"]),
                                                        .body(Array("x".utf8)), .end])
        #expect(kept == "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nDate: d\r\nConnection: keep-alive\r\n\r\nx")
        #expect(effects.last == .ended(close: false))
        // A handler that closes keeps its own spelling and gets no second field.
        let (closing, _) = run(responder(), [.head(status: 200, headers: ["CONNECTION": "Close", "Content-Length": "0"]), .end])
        #expect(closing == "HTTP/1.1 200 OK\r\nCONNECTION: Close\r\nContent-Length: 0\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n")
    }

    @Test func headAnswersCarryNoBodyAndFaultStepsSayWhatComesNext() {
        let (bytes, _) = run(responder("HEAD"), [.head(status: 200, headers: ["Date": "d"]), .body(Array("body".utf8)), .end])
        #expect(bytes == "HTTP/1.1 200 OK\r\nDate: d\r\n\r\n")
        #expect(run(responder(), [.raw(Array("HTTP/1.1 2".utf8)), .hang]) == ("HTTP/1.1 2", [.next, .hang]))
        #expect(run(responder(), [.head(status: 200, headers: [:]), .head(status: 500, headers: [:]), .reset]).effects == [.next, .next, .reset])
        let r = responder()
        _ = run(r, [.head(status: 503, headers: [:]), .close])
        #expect(r.sentStatus == 503)
        #expect(r.executed.map(\.kind) == [.head(status: 503), .close])
    }

    @Test func aLongStreamKeepsItsFirstStepsAndItsLastAndCountsTheRest() {
        let r = responder()
        let steps: [WireStep] = [.head(status: 200, headers: [:])] + (0..<200).flatMap { _ in [WireStep.wait(ms: 5), .body(Array("token".utf8))] } + [.end]
        let (bytes, effects) = run(r, steps)
        #expect(effects.count == 402 && effects.last == .ended(close: false))
        #expect(r.executed.count == Responder.keptSteps + 1)
        #expect(r.executed.last?.kind == .end)
        #expect(r.omitted.steps == 402 - Responder.keptSteps - 1)
        #expect(r.bodyBytes == 200 * 5 && bytes.hasSuffix("5\r\ntoken\r\n0\r\n\r\n"))
        #expect(r.sentStatus == 200)
    }
}

@Suite struct WireScriptLengthTests {
    /// `Content-Length` names the body's size, from the table of small lengths and past it.
    @Test func aBodysLengthIsNamedExactly() {
        #expect([0, 7, 2047, 2048, -3, 123_456].map(DecimalText.of) == ["0", "7", "2047", "2048", "-3", "123456"])
        for n in [0, 1, 9, 10, 333, 2047, 2048, 2049, 70_000] {
            let script = WireScript.respond(status: 200, contentType: "text/plain", body: [UInt8](repeating: 0x61, count: n))
            guard case .head(_, let headers) = script.steps[0] else { Issue.record("no head"); continue }
            #expect(headers["Content-Length"] == String(n))
            #expect(WireScript.respond(status: 200, body: [UInt8](repeating: 0x61, count: n)).steps.first.map {
                if case .head(_, let h) = $0 { return h["Content-Length"] == "\(n)" } else { return false }
            } == true)
        }
    }
}
