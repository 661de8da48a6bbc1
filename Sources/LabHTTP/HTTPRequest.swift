/// A request as the server received it, body complete.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as sent: path plus optional `?query`.
    public var target: String { didSet { path = Self.path(of: target) } }
    /// The path without the query, percent-decoding left to the router. Kept beside the
    /// target: every layer routes on it.
    public private(set) var path: String
    public var versionMajor: Int
    public var versionMinor: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Whether the client asked to keep the connection (HTTP/1.1 default, `Connection: close`, HTTP/1.0 rules).
    public var keepAlive: Bool

    public init(method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                versionMajor: Int = 1, versionMinor: Int = 1, keepAlive: Bool = true) {
        self.method = method
        self.target = target
        path = Self.path(of: target)
        self.headers = headers
        self.body = body
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.keepAlive = keepAlive
    }

    /// A request read from the wire, from its head: the path found once for the head, which
    /// a client sends again and again (`MessageHead.path`).
    init(head: MessageHead, body: [UInt8], keepAlive: Bool) {
        method = head.method
        target = head.url
        path = head.path
        headers = head.headers
        self.body = body
        versionMajor = head.versionMajor
        versionMinor = head.versionMinor
        self.keepAlive = keepAlive
    }

    static func path(of target: String) -> String {
        var bytes = target
        return bytes.withUTF8 { bytes in
            // Absolute form (`GET http://host:11434/api/tags`), which clients send to a
            // proxy: Go's and Node's servers route it by its path, and so does the lab.
            let start = bytes.first == UInt8(ascii: "/") ? 0 : absolutePathStart(bytes) ?? 0
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
            if start == 0, end == bytes.count { return target }
            if start == end { return "/" }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
    }

    /// Where the path begins in `http://authority/path` (the end when there is none), or
    /// nil when the target is not in absolute form.
    private static func absolutePathStart(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let scheme = bytes.prefix(8).map { $0 | 0x20 }  // ASCII lowercase; "://" is unchanged by it
        let afterScheme: Int
        if scheme.starts(with: Array("http://".utf8)) { afterScheme = 7 }
        else if scheme.starts(with: Array("https://".utf8)) { afterScheme = 8 }
        else { return nil }
        return bytes[afterScheme...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? bytes.count
    }

    public var query: String? {
        let utf8 = target.utf8
        guard let q = utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return String(target[utf8.index(after: q)...])
    }
}
