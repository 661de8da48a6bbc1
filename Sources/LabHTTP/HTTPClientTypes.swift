import LabCore

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

    /// Kept as its parts: a key made as `host:port` was a string interpolated per request.
    var poolKey: PoolKey { PoolKey(host: host, port: port) }

    func serialized() -> ByteBuffer {
        var out = ByteBuffer(capacity: 256 + body.count)
        // Written piece by piece: interpolating the request line and the Host field into
        // strings, and copying the fields to add two, showed in the gateway's profile.
        out.appendUTF8(method)
        out.append(" ")
        out.appendUTF8(target)
        out.append(" HTTP/1.1\r\n")
        headers.write(to: &out)
        if !headers.contains("Host") {
            out.append("Host: ")
            let bracketed = host.utf8.contains(UInt8(ascii: ":"))
            if bracketed { out.append("[") }
            out.appendUTF8(host)
            if bracketed { out.append("]") }
            if port != 80 {
                out.append(":")
                out.appendDecimal(UInt(port))
            }
            out.append("\r\n")
        }
        if !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH",
           !headers.contains("Content-Length"), !headers.contains("Transfer-Encoding") {
            out.append("Content-Length: ")
            out.appendDecimal(UInt(body.count))
            out.append("\r\n")
        }
        out.append("\r\n")
        out.append(body)
        return out
    }
}

/// Where a pooled connection goes.
struct PoolKey: Equatable {
    let host: String
    let port: Int
}

/// `http://host:port/path?query` taken apart.
public struct URLParts: Equatable, Sendable {
    public var host: String
    public var port: Int
    public var target: String

    /// Works on the UTF-8 bytes: every delimiter is ASCII, and the gateway takes a URL
    /// apart on each attempt, where Character-level searching showed in its profile.
    public init?(_ url: String) {
        guard let parts = Self.split(Array(url.utf8)) else { return nil }
        (host, port, target) = parts
    }

    private static let scheme: [UInt8] = Array("http://".utf8)

    private static func split(_ b: [UInt8]) -> (String, Int, String)? {
        guard b.count >= scheme.count else { return nil }
        // Case is folded for letters only: OR-ing 0x20 into any byte would let control
        // bytes pass for `:` and `/`.
        for i in 0..<scheme.count where (b[i] >= 0x41 && b[i] <= 0x5A ? b[i] | 0x20 : b[i]) != scheme[i] { return nil }
        let restStart = scheme.count
        let authorityEnd = b[restStart...].firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) ?? b.endIndex
        let authorityStart = b[restStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")).map { $0 + 1 } ?? restStart
        let authority = b[authorityStart..<authorityEnd]
        let path = b[authorityEnd...]
        let target = path.isEmpty ? "/" : (path.first == UInt8(ascii: "?") ? "/" : "") + String(decoding: path, as: UTF8.self)
        let hostBytes: ArraySlice<UInt8>
        let portBytes: ArraySlice<UInt8>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            hostBytes = authority[(authority.startIndex + 1)..<close]
            let after = authority[(close + 1)...]
            if after.isEmpty { portBytes = nil } else {
                guard after.first == UInt8(ascii: ":") else { return nil }
                portBytes = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: UInt8(ascii: ":")) {
            hostBytes = authority[..<colon]
            portBytes = authority[(colon + 1)...]
        } else {
            hostBytes = authority
            portBytes = nil
        }
        var port = 80
        if let portBytes {
            guard let p = Int(String(decoding: portBytes, as: UTF8.self)), (0...65535).contains(p) else { return nil }
            port = p
        }
        if hostBytes.isEmpty { return nil }
        return (String(decoding: hostBytes, as: UTF8.self), port, target)
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
