import Glibc
import CHTTPParser
import LabCore

/// The head of a parsed request or response.
struct MessageHead {
    var method = ""
    var url = ""
    /// `url`'s path (`HTTPRequest.path`).
    var path = ""
    /// The `Expect` field's value, looked up once per head read.
    var expect: String?
    var status = 0
    var versionMajor = 1
    var versionMinor = 1
    var headers = HTTPHeaders()
    var keepAlive = true
    /// As http_parser read it (a valid, unrepeated `Content-Length`); nil without one.
    var contentLength: Int?
    var chunked = false
    /// A body follows the head.
    var hasBody: Bool { chunked || (contentLength ?? 0) > 0 }
}

/// Feeds bytes to Node's http_parser and reports heads, body pieces and message ends.
/// One instance per connection; it handles pipelined messages back to back.
final class HTTPMessageParser {
    enum Failure: Equatable {
        case headersTooLarge
        case bodyTooLarge
        /// An `Expect` other than `100-continue`.
        case expectationFailed
        case invalid(name: String, description: String)
    }

    private let parser: UnsafeMutablePointer<http_parser>
    private let maxHeaderBytes: Int
    private var headerBytes = 0
    /// The message being read; whole once `onHead` is called, kept until the next begins.
    /// Read in place: handing a copy to each callback costs a retain per field.
    private(set) var head = MessageHead()
    private var url = ByteBuffer(capacity: 64)
    /// The current field's name then value, back to back; `valueStart` splits them once
    /// the value began. One buffer, reused for every field of every message.
    private var field = ByteBuffer(capacity: 64)
    private var valueStart: Int?
    /// The fields of the last message, by position: a client sends the same fields in the
    /// same order on every request, and a field whose bytes match takes the strings made
    /// last time (no UTF-8 check, no allocation) — on a busy connection, nearly every field.
    /// `split` is where the name ends in `bytes`: `X-A: bc` and `X-Ab: c` are the same bytes.
    /// Only a run of fields from the first is kept: once a field is not, none after it is,
    /// so that an entry always describes the field the last message had in its place.
    private var recentFields: [(bytes: [UInt8], split: Int, name: String, value: String)] = []
    /// The fields of the current message so far.
    private var fieldCount = 0
    /// The last request target made into a string, shared by all of a server's connections.
    private let recentTarget: RecentTarget
    private(set) var failure: Failure?
    /// True between the first byte of a message and its end.
    private(set) var inMessage = false
    /// The head is read: fields from here on are a chunked body's trailer, which http_parser
    /// reports with the head's callbacks. They are not kept — nothing here reads trailers —
    /// so that none joins the head already handed on, nor is left over for the next one.
    private var inTrailer = false

    /// The last head read whole from one buffer (the repeated head, below): its exact bytes
    /// and what http_parser made of them. A client sends the same request head again and
    /// again (the same fields, the same Content-Length for a body of the same size), and a
    /// server its answers' (the same until its `Date` turns); one that starts a read with
    /// these bytes is the same head, and is taken without parsing it again. Only heads of
    /// keep-alive requests with a Content-Length body or none are kept, and of keep-alive
    /// responses with a Content-Length and a status that has a body; none is while
    /// `repeatedBytes` is empty. Two properties read where they are stored: a
    /// tuple or an optional struct of them was copied to be compared or taken.
    private var repeatedBytes: [UInt8] = []
    private var repeatedHead = MessageHead()
    /// Body bytes still to come for a message whose head was taken from the repeated head.
    private var repeatedBodyLeft: Int?
    /// The head's fields came from the repeated head, not from `recentFields`: the next parsed
    /// message starts its list afresh instead of keeping fields in place.
    private var fieldsFromRepeated = false
    /// `head` is the repeated head as it was taken: taking it again changes nothing (and
    /// copying it over itself would retain and release each of its strings). Only a parsed
    /// message changes `head`, and its beginning clears this.
    private var headIsRepeated = false
    /// Heads taken from the repeated head so far.
    private(set) var headsRepeated = 0
    /// The buffer being parsed, and where in it the current message's request target (or
    /// response reason) began and its last field value ended: a head's bytes, when it was
    /// all in one read.
    private var feeding: UnsafeRawBufferPointer?
    private var targetAt: UnsafeRawPointer?
    private var reasonAt: UnsafeRawPointer?
    private var lastValueEnd: UnsafeRawPointer?
    private static let repeatedLimit = 2048

    /// The head is complete (`head`). Returns true to tell the parser that no body follows
    /// (a response to HEAD).
    var onHead: () -> Bool = { false }
    /// Returns false to stop parsing (a body over its limit).
    var onBody: (UnsafeRawBufferPointer) -> Bool = { _ in true }
    var onComplete: () -> Void = {}
    /// The first byte of a message arrived.
    var onBegin: () -> Void = {}

    /// Requests are held to the rules a server must enforce; responses are read leniently.
    private let strict: Bool
    private let readsResponses: Bool

    init(kind: http_parser_type, maxHeaderBytes: Int = 64 * 1024, recentTarget: RecentTarget = RecentTarget()) {
        self.recentTarget = recentTarget
        self.maxHeaderBytes = maxHeaderBytes
        strict = kind == HTTP_REQUEST
        readsResponses = kind == HTTP_RESPONSE
        parser = .allocate(capacity: 1)
        http_parser_init(parser, kind)
        parser.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        parser.deallocate()
    }

    /// Parses `bytes`; returns false when parsing stopped on an error (see `failure`).
    func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard failure == nil else { return false }
        var rest = bytes
        if !bytes.isEmpty {
            rest = takeRepeated(bytes)
            if failure != nil { return false }
            // An empty buffer tells http_parser the peer closed: never pass it one here.
            if rest.isEmpty { return true }
        }
        return withExtendedLifetime(self) {
            feeding = rest
            targetAt = nil
            reasonAt = nil
            lastValueEnd = nil
            defer { feeding = nil }
            let consumed = http_parser_execute(parser, Self.settings, rest.baseAddress?.assumingMemoryBound(to: CChar.self), rest.count)
            return checkError(consumed: consumed, expected: rest.count)
        }
    }

    /// Reads the messages at the front of `bytes` whose head is the repeated head, byte for byte,
    /// with the same callbacks as a parsed message, and returns what follows them. http_parser
    /// is between messages all the while (the last one it read kept the connection open),
    /// so it reads what follows as it would have.
    private func takeRepeated(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var rest = bytes
        while true {
            if let left = repeatedBodyLeft {
                let n = min(left, rest.count)
                if n > 0, !onBody(UnsafeRawBufferPointer(rebasing: rest[..<n])) {
                    if failure == nil { failure = Self.failure(HPE_CB_body) }
                    return rest
                }
                rest = UnsafeRawBufferPointer(rebasing: rest[n...])
                guard n == left else { repeatedBodyLeft = left - n; return rest }
                repeatedBodyLeft = nil
                inMessage = false
                onComplete()
            }
            let count = repeatedBytes.count
            guard !inMessage, head.keepAlive, count > 0, rest.count >= count,
                  repeatedBytes.withUnsafeBytes({ memcmp($0.baseAddress!, rest.baseAddress!, count) == 0 }) else { return rest }
            rest = UnsafeRawBufferPointer(rebasing: rest[count...])
            inMessage = true
            if !headIsRepeated {
                head = repeatedHead
                headIsRepeated = true
            }
            headsRepeated += 1
            fieldsFromRepeated = true
            onBegin()
            // Set first: a head refused by `onHead` is answered with its own request line.
            repeatedBodyLeft = head.contentLength ?? 0
            // Only a response to HEAD is told to have no body, as http_parser is told.
            if onHead() { repeatedBodyLeft = 0 }
            if failure != nil { return rest }
        }
    }

    /// Keeps the head just read as the repeated head when all its bytes are known: from its
    /// first byte — a request's method (its name, then the one byte http_parser allows before
    /// the target only if it is a space), a response's `HTTP/` — to the blank line right
    /// after the last field's value, all in the buffer being parsed. A head that ends
    /// otherwise (bare line feeds) is not kept.
    private func keepIfRepeatable(_ parser: http_parser) {
        guard let valueEnd = lastValueEnd, let buffer = feeding, let low = buffer.baseAddress,
              !head.chunked, head.keepAlive, parser.upgrade == 0 else { return }
        let start: UnsafeRawPointer
        if readsResponses {
            // A response's body is framed by its length only: without one it runs to the
            // close, and 1xx, 204 and 304 have none whatever they say.
            guard let reason = reasonAt, head.contentLength != nil, head.status >= 200, head.status != 204, head.status != 304 else { return }
            start = reason - Self.statusLinePrefix
            guard start >= low, Self.isStatusLinePrefix(start) else { return }
        } else {
            guard let target = targetAt else { return }
            let method = head.method.utf8.count + 1
            start = target - method
            guard start >= low, head.method.withCString({ memcmp(start, $0, method - 1) == 0 }) else { return }
        }
        let end = valueEnd + 4
        guard end <= low + buffer.count, end - start <= Self.repeatedLimit, memcmp(valueEnd, "\r\n\r\n", 4) == 0 else { return }
        let span = UnsafeRawBufferPointer(start: start, count: end - start)
        if repeatedBytes.hasSameBytes(as: span) { return }
        repeatedBytes = Array(span)
        repeatedHead = head
    }

    /// `HTTP/1.1 200 `: what comes before a reason phrase, in the only shape http_parser reads.
    private static let statusLinePrefix = 13

    /// Whether the bytes at `p` are `HTTP/` digit `.` digit, a space, three digits and a space:
    /// the start of a status line, so the message begins at `p`.
    private static func isStatusLinePrefix(_ p: UnsafeRawPointer) -> Bool {
        func digit(_ i: Int) -> Bool { (48...57).contains(p.load(fromByteOffset: i, as: UInt8.self)) }
        func byte(_ i: Int) -> UInt8 { p.load(fromByteOffset: i, as: UInt8.self) }
        return memcmp(p, "HTTP/", 5) == 0 && digit(5) && byte(6) == 0x2E && digit(7) && byte(8) == 0x20
            && digit(9) && digit(10) && digit(11) && byte(12) == 0x20
    }

    private static func failure(_ errno: http_errno) -> Failure {
        .invalid(name: String(cString: http_errno_name(errno)), description: String(cString: http_errno_description(errno)))
    }

    /// Tells the parser the peer closed; a body delimited by the close then ends.
    func finish() -> Bool {
        guard failure == nil else { return false }
        // The peer left before the body of a head taken from the repeated head: what http_parser
        // says of a message cut short.
        if repeatedBodyLeft != nil {
            failure = Self.failure(HPE_INVALID_EOF_STATE)
            return false
        }
        return withExtendedLifetime(self) {
            let consumed = http_parser_execute(parser, Self.settings, nil, 0)
            return checkError(consumed: consumed, expected: 0)
        }
    }

    private func checkError(consumed: Int, expected: Int) -> Bool {
        if failure != nil { return false }
        let errno = http_errno(rawValue: parser.pointee.http_errno)
        if errno == HPE_HEADER_OVERFLOW {
            // http_parser's own 80 KB cap can trip before ours sees the bytes.
            failure = .headersTooLarge
            return false
        }
        if errno != HPE_OK {
            failure = Self.failure(errno)
            return false
        }
        if parser.pointee.upgrade != 0 {
            failure = .invalid(name: "HPE_UPGRADE", description: "protocol upgrade is not supported")
            return false
        }
        return consumed == expected
    }

    private func countHeaderBytes(_ n: Int) -> Int32 {
        headerBytes += n
        if headerBytes > maxHeaderBytes {
            failure = .headersTooLarge
            return 1
        }
        return 0
    }

    /// `Content-Length : 5`: RFC 9112 §5.1 says a server must refuse whitespace before
    /// the colon (a proxy and a server reading it differently is request smuggling).
    fileprivate func refusesFieldName() -> Bool {
        guard strict, valueStart == nil, let last = field.withUnsafeBytes({ $0.last }), last == 0x20 || last == 0x09 else { return false }
        failure = .invalid(name: "HPE_INVALID_HEADER_TOKEN", description: "whitespace between a header field name and its colon")
        return true
    }

    fileprivate func flushField() {
        guard let split = valueStart else { return }
        let position = fieldCount
        fieldCount += 1
        if position < recentFields.count, recentFields[position].split == split, field.withUnsafeBytes({ recentFields[position].bytes.hasSameBytes(as: $0) }) {
            // The head still holds the last message's fields from here on (until one
            // differed): a field the same as the last one's in its place stays where it is.
            if position >= head.headers.count {
                head.headers.add(recentFields[position].name, recentFields[position].value)
            }
        } else {
            let (name, value) = field.withUnsafeBytes { raw in
                let all = raw.assumingMemoryBound(to: UInt8.self)
                return (HTTPHeaders.name(UnsafeBufferPointer(rebasing: all[..<split])),
                        String(decoding: UnsafeBufferPointer(rebasing: all[split...]), as: UTF8.self))
            }
            head.headers.keepFirst(position)
            head.headers.add(name, value)
            // Only the first few positions and short fields are kept: a request with many or
            // long fields pays for its strings as before, and the cache stays small.
            if position < Self.recentLimit, field.count <= Self.recentFieldBytes {
                if position < recentFields.count {
                    recentFields[position] = (field.bytes, split, name, value)
                } else if position == recentFields.count {
                    recentFields.append((field.bytes, split, name, value))
                }
            } else if position < recentFields.count {
                recentFields.removeSubrange(position...)
            }
        }
        field.removeAll()
        valueStart = nil
    }

    private static let recentLimit = 16
    private static let recentFieldBytes = 256

    /// The request target as a string, the last one's when the bytes are the same.
    private func urlString() -> String {
        if url.withUnsafeBytes({ recentTarget.bytes.hasSameBytes(as: $0) }) { return recentTarget.text }
        let text = url.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        if url.count <= Self.recentFieldBytes { (recentTarget.bytes, recentTarget.text) = (url.bytes, text) }
        return text
    }

    fileprivate func addValue(_ at: UnsafePointer<CChar>?, _ len: Int) -> Int32 {
        if refusesFieldName() { return 1 }
        if valueStart == nil { valueStart = field.count }
        field.append(Self.bytes(at, len))
        lastValueEnd = UnsafeRawPointer(at).map { $0 + len }
        return countHeaderBytes(len)
    }

    func failBody() { failure = .bodyTooLarge }

    func failExpectation() { failure = .expectationFailed }

    private static func bytes(_ at: UnsafePointer<CChar>?, _ len: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: UnsafeRawPointer(at)?.assumingMemoryBound(to: UInt8.self), count: len)
    }

    /// Runs `body` on the parser that `p` belongs to, without retaining it: `feed` and
    /// `finish` keep it alive while http_parser calls back (a retain and a release per
    /// callback were some 450 instructions a request).
    @inline(__always)
    private static func with<R>(_ p: UnsafeMutablePointer<http_parser>?, _ body: (HTTPMessageParser) -> R) -> R {
        Unmanaged<HTTPMessageParser>.fromOpaque(p!.pointee.data)._withUnsafeGuaranteedRef(body)
    }

    nonisolated(unsafe) static let settings: UnsafeMutablePointer<http_parser_settings> = {
        let s = UnsafeMutablePointer<http_parser_settings>.allocate(capacity: 1)
        http_parser_settings_init(s)
        s.pointee.on_message_begin = { p in
            HTTPMessageParser.with(p) { me in
                me.inMessage = true
                // The last head's fields stay until this message's own differ from them: a client
                // sends the same fields in the same order, and each found unchanged in its place
                // is left there (no string retained or released, no list grown); the rest are
                // replaced from the first that differs. Shared with a request still under way,
                // the list is copied once changed, as any array is.
                let headers = me.fieldsFromRepeated ? HTTPHeaders() : me.head.headers
                me.head = MessageHead()
                me.head.headers = headers
                me.fieldsFromRepeated = false
                me.headIsRepeated = false
                me.targetAt = nil
                me.reasonAt = nil
                me.lastValueEnd = nil
                me.fieldCount = 0
                me.inTrailer = false
                me.headerBytes = 0
                me.url.removeAll()
                me.onBegin()
                return 0
            }
        }
        s.pointee.on_url = { p, at, len in
            HTTPMessageParser.with(p) { me in
                if me.url.isEmpty { me.targetAt = UnsafeRawPointer(at) }
                me.url.append(HTTPMessageParser.bytes(at, len))
                return me.countHeaderBytes(len)
            }
        }
        s.pointee.on_status = { p, at, _ in
            HTTPMessageParser.with(p) { me in
                if me.reasonAt == nil { me.reasonAt = UnsafeRawPointer(at) }
                return 0
            }
        }
        s.pointee.on_header_field = { p, at, len in
            HTTPMessageParser.with(p) { me in
                if me.inTrailer { return 0 }
                me.flushField()
                me.field.append(HTTPMessageParser.bytes(at, len))
                return me.countHeaderBytes(len + 4)
            }
        }
        s.pointee.on_header_value = { p, at, len in
            HTTPMessageParser.with(p) { me in
                me.inTrailer ? 0 : me.addValue(at, len)
            }
        }
        s.pointee.on_headers_complete = { p in
            HTTPMessageParser.with(p) { me in
                if me.refusesFieldName() { return -1 }
                me.flushField()
                // A message with fewer fields than the last.
                me.head.headers.keepFirst(me.fieldCount)
                let parser = p!.pointee
                me.head.url = me.urlString()
                me.head.path = HTTPRequest.path(of: me.head.url)
                me.head.expect = me.head.headers["Expect"]
                me.head.method = HTTPMessageParser.methodName(parser.method)
                me.head.status = Int(parser.status_code)
                me.head.versionMajor = Int(parser.http_major)
                me.head.versionMinor = Int(parser.http_minor)
                me.head.keepAlive = http_should_keep_alive(p) != 0
                // http_parser marks a missing Content-Length with all bits set.
                me.head.contentLength = parser.content_length == UInt64.max ? nil : Int(clamping: parser.content_length)
                me.head.chunked = parser.flags & F_CHUNKED.rawValue != 0
                me.inTrailer = true
                me.keepIfRepeatable(parser)
                let bodiless = me.onHead()
                // Refused on its head: stop here, so that a request without a body is not
                // completed (and answered) before the refusal.
                if me.failure != nil { return -1 }
                return bodiless ? 1 : 0
            }
        }
        s.pointee.on_body = { p, at, len in
            HTTPMessageParser.with(p) { me in
                me.onBody(UnsafeRawBufferPointer(start: at, count: len)) ? 0 : 1
            }
        }
        s.pointee.on_message_complete = { p in
            HTTPMessageParser.with(p) { me in
                me.inMessage = false
                me.head.keepAlive = http_should_keep_alive(p) != 0
                me.onComplete()
                return 0
            }
        }
        return s
    }()

    /// The request line as far as it was read, for answering a request refused mid-way.
    var partialRequestLine: (method: String, url: String) {
        // Until the URL starts, the parser's method field means nothing (0 reads as DELETE).
        if repeatedBodyLeft != nil { return (head.method, head.url) }
        guard !url.isEmpty else { return ("?", "") }
        return (Self.methodName(parser.pointee.method), url.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
    }

    /// http_parser's method names, made into strings once.
    private static let methodNames: [String] = (0..<64).map { String(cString: http_method_str(http_method(rawValue: $0))) }

    private static func methodName(_ code: UInt32) -> String {
        code < methodNames.count ? methodNames[Int(code)] : String(cString: http_method_str(http_method(rawValue: code)))
    }

    /// Keep-alive as decided at the end of the last message.
    var lastKeepAlive: Bool { head.keepAlive }
}
