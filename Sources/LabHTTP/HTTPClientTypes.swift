/// A request for the client: an absolute `http://` URL split into its parts.
public struct ClientRequest: Sendable {
    public var method: String
    public var host: String
    public var port: Int
    /// Path plus optional query, as sent on the request line.
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String, host: String, port: Int, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.host = host
        self.port = port
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// Parses `http://host[:port][/path]`; only plain HTTP is spoken.
    public init(method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) throws(HTTPClientError) {
        guard let parsed = URLParts(url) else { throw .invalidURL(url) }
        self.init(method: method, host: parsed.host, port: parsed.port, target: parsed.target, headers: headers, body: body)
    }

    var poolKey: String { "\(host):\(port)" }

    func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + body.count)
        out.append(contentsOf: "\(method) \(target) HTTP/1.1\r\n".utf8)
        var h = headers
        if !h.contains("Host") {
            let shownHost = host.contains(":") ? "[\(host)]" : host
            h.add("Host", port == 80 ? shownHost : "\(shownHost):\(port)")
        }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
            if !h.contains("Content-Length") && !h.contains("Transfer-Encoding") { h.add("Content-Length", String(body.count)) }
        }
        h.write(to: &out)
        out.append(contentsOf: [13, 10])
        out.append(contentsOf: body)
        return out
    }
}

/// `http://host:port/path?query` taken apart.
public struct URLParts: Equatable, Sendable {
    public var host: String
    public var port: Int
    public var target: String

    public init?(_ url: String) {
        guard url.lowercased().hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(7)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        let path = String(rest[authorityEnd...])
        target = path.isEmpty ? "/" : (path.hasPrefix("?") ? "/" + path : path)
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { port = 80 } else {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (0...65535).contains(p) else { return nil }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]), (0...65535).contains(p) else { return nil }
            port = p
        } else {
            host = authority
            port = 80
        }
        if host.isEmpty { return nil }
    }
}

/// Why a request got no (complete) response. Each kind is distinct because each
/// trips a gateway differently.
public enum HTTPClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing listens there. Carries `host:port`.
    case refused(String)
    /// The peer reset the connection (RST).
    case reset
    /// The connection closed before any response byte.
    case closedBeforeResponse
    /// The connection closed after the head, before the body was complete.
    case closedMidBody
    /// DNS has no address for the name.
    case nameNotResolved(String)
    case connectTimeout
    /// No response head within the response timeout.
    case responseTimeout
    case invalidResponse(String)
    case invalidURL(String)
    case cancelled
    case other(String)

    public var description: String {
        switch self {
        case .refused(let address): return "connection refused (\(address))"
        case .reset: return "connection reset by peer"
        case .closedBeforeResponse: return "connection closed before a response"
        case .closedMidBody: return "connection closed in the middle of the body"
        case .nameNotResolved(let host): return "cannot resolve host '\(host)'"
        case .connectTimeout: return "connect timed out"
        case .responseTimeout: return "no response within the timeout"
        case .invalidResponse(let why): return "invalid HTTP response: \(why)"
        case .invalidURL(let url): return "not an http:// URL: \(url)"
        case .cancelled: return "cancelled"
        case .other(let why): return why
        }
    }
}

public struct ClientTimeouts: Sendable {
    public var connectMs: Int?
    /// From the request written to the response head; a body already flowing is not covered.
    public var responseMs: Int?

    public init(connectMs: Int? = 10_000, responseMs: Int? = nil) {
        self.connectMs = connectMs
        self.responseMs = responseMs
    }
}

public struct ClientResponseHead: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
}

/// A buffered response.
public struct ClientResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var text: String { String(decoding: body, as: UTF8.self) }
}
