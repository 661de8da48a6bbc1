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

    private static func path(of target: String) -> String {
        var bytes = target
        return bytes.withUTF8 { bytes in
            guard let q = bytes.firstIndex(of: UInt8(ascii: "?")) else { return target }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<q]), as: UTF8.self)
        }
    }

    public var query: String? {
        let utf8 = target.utf8
        guard let q = utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return String(target[utf8.index(after: q)...])
    }
}
