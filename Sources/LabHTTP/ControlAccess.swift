import Glibc
import LabCore

/// Who may use a server's `/__lab/` API: loopback clients only, unless a token is set,
/// and then only requests that carry it in `x-lab-token`. `GET /__lab/health` answers
/// anyone (it tells nothing secret, and a cluster's probes cannot carry a secret).
/// Requests the lab's own gateway or route relayed are always refused (a config's
/// custom_host must not make them a loopback caller). The same rules on every fake
/// provider, the gateway and the route.
public struct ControlAccess: Sendable {
    public let token: String?

    public init(token: String?) { self.token = token }

    /// Whether the request is for the `/__lab/` API: its path's first seven bytes, compared
    /// as bytes (`hasPrefix` compares characters: some hundred instructions a request).
    public static func isControl(_ request: HTTPRequest) -> Bool {
        let path = request.path.utf8
        guard path.count >= 7 else { return false }
        return path.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, "/__lab/", 7) == 0 } ?? request.path.hasPrefix("/__lab/")
    }

    /// The refusal for this request, or nil when it may go on.
    public func refusal(_ request: HTTPRequest, peer: String) -> WireScript? {
        if let via = request.headers[HTTPHeaders.labRelay] {
            return Self.reply(403, ["error": .string("the control API does not answer requests relayed by the lab's \(via)")])
        }
        if request.method == "GET" || request.method == "HEAD", request.path == "/__lab/health" { return nil }
        if let token {
            guard let given = request.headers["x-lab-token"], Self.sameSecret(given, token) else {
                return Self.reply(401, ["error": "missing or wrong control token (send it in x-lab-token)"])
            }
        } else if !Self.isLoopback(peer) {
            return Self.reply(403, ["error": "the control API answers loopback clients only; start the lab with a control token to allow others"])
        }
        return nil
    }

    /// A control answer: pretty JSON and a newline, for people reading it with curl.
    public static func reply(_ status: Int, _ value: JSONValue) -> WireScript {
        var body = Array(value.pretty.utf8)
        body.append(10)
        return WireScript.respond(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    /// The `/__lab/` API of a server that keeps a journal and nothing else to control (the
    /// gateway, the route): health, the journal, and clearing it.
    public func journalAPI(_ request: HTTPRequest, peer: String, health: () -> JSONValue, journal: () -> JSONValue,
                           clear: () -> Void) -> WireScript {
        if let refused = refusal(request, peer: peer) { return refused }
        switch (request.method, request.path) {
        case ("GET", "/__lab/health"), ("HEAD", "/__lab/health"): return Self.reply(200, health())
        case ("GET", "/__lab/journal"): return Self.reply(200, journal())
        case ("DELETE", "/__lab/journal"):
            clear()
            return Self.reply(200, [])
        default: return Self.unknown(request, known: ["/__lab/health", "/__lab/journal"])
        }
    }

    /// 404 naming the paths there are, or 405 for a known path with another method.
    public static func unknown(_ request: HTTPRequest, known: [String]) -> WireScript {
        if known.contains(request.path) { return reply(405, ["error": .string("\(request.method) is not allowed on \(request.path)")]) }
        return reply(404, ["error": .string("unknown control path \(request.path); try \(known.joined(separator: ", "))")])
    }

    public static func isLoopback(_ peer: String) -> Bool {
        peer.hasPrefix("127.") || peer.hasPrefix("[::1]") || peer.hasPrefix("[::ffff:127.")
    }

    /// Compares without stopping at the first difference, so the time taken does not
    /// tell an attacker how much of a guess was right.
    public static func sameSecret(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }

    /// Whether a listening address is this machine only.
    public static func isLoopbackHost(_ host: String) -> Bool {
        host == "::1" || host.hasPrefix("127.") || host == "localhost"
    }
}
