import Testing
import LabCore
@testable import LabHTTP

/// A request head whose bytes repeat the last one kept is taken without parsing it again
/// (`HTTPMessageParser.repeated`). Whatever the reads, every message must read exactly as
/// a parser that never saw the ones before it reads it.
@Suite struct RepeatedHeadTests {
    /// What a parser reported: one line per head, body piece (joined) and end, then a
    /// failure if it stopped.
    final class Events {
        var lines: [String] = []
        var body: [UInt8] = []
    }

    /// `bodiless` answers `onHead` (a response to HEAD has no body, whatever its head says);
    /// responses with 1xx, 204 and 304 have none either, as the lab's client tells the parser.
    func parser(_ events: Events, responses: Bool = false, bodiless: @escaping () -> Bool = { false }) -> HTTPMessageParser {
        let p = HTTPMessageParser(kind: responses ? HTTP_RESPONSE_KIND : HTTP_REQUEST_KIND)
        p.onHead = { [unowned p] in
            let h = p.head
            let fields = h.headers.map { "\($0.name)=\($0.value)" }.joined(separator: ";")
            events.lines.append("head \(h.method) \(h.url) \(h.status) \(h.versionMajor).\(h.versionMinor) \(fields) len=\(h.contentLength.map(String.init) ?? "-") keep=\(h.keepAlive)")
            events.body = []
            return bodiless() || (responses && (h.status < 200 || h.status == 204 || h.status == 304))
        }
        p.onBody = { chunk in events.body.append(contentsOf: chunk); return true }
        p.onComplete = { [unowned p] in events.lines.append("end \(String(decoding: events.body, as: UTF8.self)) keep=\(p.lastKeepAlive)") }
        return p
    }

    func feed(_ p: HTTPMessageParser, _ events: Events, _ bytes: [UInt8]) {
        let ok = bytes.withUnsafeBytes { p.feed($0) }
        if !ok, let failure = p.failure { events.lines.append("failed \(failure)") }
    }

    /// Each message read by a parser of its own: what one message's bytes mean.
    func alone(_ messages: [String], responses: Bool = false) -> [String] {
        messages.flatMap { message -> [String] in
            let events = Events()
            feed(parser(events, responses: responses), events, Array(message.utf8))
            return events.lines
        }
    }

    static let messages = [
        "POST /api/chat HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
        "POST /api/chat HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"b\":2}",
        "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\n",
        // The same field with more space before its value, then a repeated head with
        // one more field after it.
        "GET / HTTP/1.1\r\nHost: h\r\nX-A:  1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-B: 2\r\n\r\n",
        "GET / HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n",
        "POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "POST /api/chat HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"c\":3}",
        "GET  /two-spaces HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /two-spaces HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /lf HTTP/1.1\nHost: h\n\n",
        "DELETE /api/delete HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
    ]

    /// Messages chosen and cut into reads by a seeded generator: the same requests many
    /// times over (so heads repeat back to back, and after others), pipelined several to a
    /// read, and cut anywhere, mid-head and mid-body included.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func everyMessageReadsAsItWouldAlone(seed: UInt64) {
        readAsAlone(Self.messages, seed: seed, responses: false)
    }

    /// Answers, as a server sends them: mostly the same head (a new `Date` now and then),
    /// and others with no body whatever they say (204, 304, an interim 103), one framed by
    /// chunks, one with an empty reason and one with none, one in bare line feeds.
    static let responses = [
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 7\r\nDate: Mon, 07 Dec 2026 20:50:11 GMT\r\n\r\n{\"a\":1}",
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 7\r\nDate: Mon, 07 Dec 2026 20:50:11 GMT\r\n\r\n{\"b\":2}",
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 7\r\nDate: Mon, 07 Dec 2026 20:50:12 GMT\r\n\r\n{\"c\":3}",
        "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnot",
        "HTTP/1.1 204 No Content\r\nContent-Length: 4\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nerror",
        "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    ]

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func everyResponseReadsAsItWouldAlone(seed: UInt64) {
        readAsAlone(Self.responses, seed: seed, responses: true)
    }

    func readAsAlone(_ messages: [String], seed: UInt64, responses: Bool) {
        var random = SeededRandom(seed: seed)
        var sent: [String] = []
        for _ in 0..<300 {
            // Mostly the same two heads, as a busy client sends them.
            let pick = Int(random.next() % 4) == 0 ? Int(random.next() % UInt64(messages.count)) : Int(random.next() % 2)
            sent.append(messages[pick])
        }
        let wire = Array(sent.joined().utf8)
        var ends: [Int] = []
        for message in sent { ends.append((ends.last ?? 0) + message.utf8.count) }
        let events = Events()
        let p = parser(events, responses: responses)
        var at = 0
        while at < wire.count {
            // The rest of a message (as a client waiting for each answer sends it), a few
            // bytes, or up to a few hundred.
            let end: Int
            switch random.next() % 3 {
            case 0: end = ends.first { $0 > at }!
            case 1: end = min(at + Int(random.next() % 16) + 1, wire.count)
            default: end = min(at + Int(random.next() % 400) + 1, wire.count)
            }
            feed(p, events, Array(wire[at..<end]))
            at = end
        }
        #expect(events.lines == alone(sent, responses: responses))
        #expect(p.headsRepeated > 30)
    }

    /// A response to HEAD has no body, its head repeated or not: what follows it is the
    /// next answer. (The same head then answers a GET, whose body it frames.)
    @Test func aRepeatedHeadAnsweringHEADHasNoBody() {
        let events = Events()
        var head = true
        let p = parser(events, responses: true, bodiless: { head })
        let answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
        for _ in 0..<3 { feed(p, events, Array(answer.utf8)) }
        head = false
        feed(p, events, Array((answer + "ok").utf8))
        #expect(p.headsRepeated == 3)
        #expect(p.failure == nil)
        #expect(events.lines.filter { $0.hasPrefix("end") } == ["end  keep=true", "end  keep=true", "end  keep=true", "end ok keep=true"])
    }

    /// Each message in a read of its own, as a client waiting for each answer sends them.
    @Test func readsOfOneMessageEachTakeTheRepeatedHead() {
        let events = Events()
        let p = parser(events)
        let sent = Array(repeating: Self.messages[0], count: 5) + [Self.messages[2], Self.messages[2], Self.messages[1]]
        for message in sent { feed(p, events, Array(message.utf8)) }
        #expect(events.lines == alone(sent))
        // The first of each is parsed; the others are the repeats (the third head differs
        // from the first only in its body, so it repeats too).
        #expect(p.headsRepeated == 5)
    }

    /// Two connections of one server asking for the same long target get the very same
    /// string (its storage, not only its text), so that comparing them costs one check.
    @Test func connectionsOfOneServerShareTheTargetsString() {
        let shared = RecentTarget()
        let target = "/v1/chat/completions?one=1"
        let heads = (0..<2).map { _ -> MessageHead in
            let p = HTTPMessageParser(kind: HTTP_REQUEST_KIND, recentTarget: shared)
            _ = Array("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n".utf8).withUnsafeBytes { p.feed($0) }
            return p.head
        }
        #expect(heads[0].url == target && heads[1].url == target)
        let bits = heads.map { head in withUnsafeBytes(of: head.url) { Array($0) } }
        #expect(bits[0] == bits[1])
    }

    /// Heads that end in bare line feeds are never kept (their end is not where a head
    /// ending in CRLF would end): two to a read, twice.
    @Test func headsEndingInBareLineFeedsAreParsedEveryTime() {
        let events = Events()
        let p = parser(events)
        let message = "GET /lf HTTP/1.1\nHost: h\n\n"
        for _ in 0..<2 { feed(p, events, Array((message + message).utf8)) }
        #expect(events.lines == alone(Array(repeating: message, count: 4)))
        #expect(p.headsRepeated == 0)
    }

    /// A repeated head whose body never comes whole: the same failure as a parsed one's.
    @Test func aBodyCutShortByTheCloseFailsAsParsed() throws {
        let message = Array(Self.messages[0].utf8)
        let cut = Array(message.dropLast(3))
        let events = Events()
        let p = parser(events)
        feed(p, events, message)
        feed(p, events, cut)
        #expect(p.headsRepeated == 1)
        #expect(!p.finish())
        let fresh = parser(Events())
        _ = cut.withUnsafeBytes { fresh.feed($0) }
        #expect(!fresh.finish())
        let failure = try #require(p.failure)
        #expect(failure == fresh.failure)
        #expect(p.partialRequestLine == (method: "POST", url: "/api/chat"))
    }

    /// After a request that closes the connection, what follows is left to http_parser
    /// (which, built lenient, reads it as it would any request): never a repeat.
    @Test func aRequestThatClosesIsNeverFollowedByARepeat() {
        let events = Events()
        let p = parser(events)
        let sent = ["GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "GET / HTTP/1.1\r\nHost: h\r\n\r\n"]
        for message in sent { feed(p, events, Array(message.utf8)) }
        #expect(events.lines == alone(sent))
        #expect(p.headsRepeated == 0)
    }

    /// A head refused by whoever reads it (a body over the limit) stops the parser when it
    /// is repeated, as when it was parsed.
    @Test func aRefusedRepeatedHeadStopsTheParser() {
        let events = Events()
        let p = parser(events)
        var refuse = false
        let report = p.onHead
        p.onHead = { [unowned p] in
            if refuse { p.failBody() }
            return report()
        }
        let message = Array(Self.messages[0].utf8)
        feed(p, events, message)
        // Another request parsed (cut in two reads, so not kept) between the two.
        let other = Array("GET /other HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        feed(p, events, Array(other[..<10]))
        feed(p, events, Array(other[10...]))
        refuse = true
        feed(p, events, message + message)
        #expect(p.headsRepeated == 1)
        #expect(p.failure == .bodyTooLarge)
        #expect(events.lines.filter { $0.hasPrefix("end") }.count == 2)
        // Answered with its own request line, whatever was parsed before it.
        #expect(p.partialRequestLine == (method: "POST", url: "/api/chat"))
    }
}
